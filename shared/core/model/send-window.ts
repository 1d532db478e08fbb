/** A daily window of local time, in minutes after midnight: open from `start` (inclusive) to `end` (exclusive). */
export interface SendWindow {
  readonly start: number;
  readonly end: number;
}

/** Where the zones a window is read in came from (the report says it, next to the zone). */
export const timeZoneSources = ["consumer", "number_prefix", "country", "default"] as const;
export type TimeZoneSource = (typeof timeZoneSources)[number];

/** The window's state at an instant: open, or when it opens next (ISO 8601 with the zone's offset), and in which zone. */
export interface WindowState {
  readonly open: boolean;
  readonly timeZone: string;
  readonly nextAllowedAt?: string;
}

/** What the window says about one send, for the decision and for the agent (dry run, compose options). */
export interface SendWindowReport extends WindowState {
  /** Where the zones it was read in came from: the consumer's `timeZone`, the number's prefix, its country, or UTC. */
  readonly timeZoneSource: TimeZoneSource;
  /** The customer wrote on this conversation key recently: the send is allowed until then, window or not. */
  readonly replyGraceUntil?: string;
}
