import type * as z from "zod/mini";

type Mismatch<Wire, Core> = [Wire] extends [Core] ? ([Core] extends [Wire] ? [] : [wireLacks: Core]) : [coreLacks: Wire];

/**
 * A wire schema that reads exactly the type the core declares: `readsAs<Consumer>()(schema)` fails
 * to compile when the schema's output and the core type differ either way, so the wire format
 * cannot drift from the model.
 */
export function readsAs<Core>() {
  return <Schema extends z.ZodMiniType>(schema: Schema, ..._proof: Mismatch<z.infer<Schema>, Core>): Schema => schema;
}
