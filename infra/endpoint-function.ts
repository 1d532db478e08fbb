// The function defaults and bundling constants, under the names the tests and scripts/bench.ts
// import them by; every function (routes included) is a `ServiceFunction` built from its
// functions-table entry (see table-functions.ts).
export {
  composeExtensionFileName,
  composeExtensionRuntimePath,
  esmRequireBanner,
  functionDefaults as endpointFunctionDefaults,
} from "./service-function";
