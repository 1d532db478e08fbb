/**
 * Request and response schemas, declared once: they give the TypeScript types, the validation the
 * handlers run, and the OpenAPI document (`scripts/openapi.ts`). zod/mini keeps Lambda bundles small
 * (about 15 KB against 450 KB for zod's classic API).
 *
 * They live in one module per domain (schemas/): building a zod schema is work at import, and a
 * module's top-level statements all run, so a function's bundle (its route's module in routes/)
 * builds only its domain's schemas; one module of them all cost every HTTP function about 15 ms of
 * cold start. Everything else (the OpenAPI document, the local server, tests) reads them here.
 */
export * from "./schemas/common";
export * from "./schemas/phone-numbers";
export * from "./schemas/consumers";
export * from "./schemas/providers";
export * from "./schemas/interactions";
export * from "./schemas/events";
export * from "./schemas/consent";
export * from "./schemas/privacy";
