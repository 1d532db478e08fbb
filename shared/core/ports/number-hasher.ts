/**
 * The keyed hash of a phone number (HMAC-SHA256 with the service's privacy key): what survives an
 * erasure where the number must still be recognised (a suppressed opt-out), without keeping it in
 * clear. The key is the deployment's own (Secrets Manager on AWS, a file under DATA_DIR locally),
 * so the hash cannot be reversed by trying every number without it.
 */
export interface NumberHasher {
  hash(e164: string): Promise<string>;
}
