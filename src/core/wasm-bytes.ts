/**
 * The bytes of a WebAssembly module embedded as base64 by `npm run build:wasm`
 * (scripts/build-wasm.ts); shared by the training kernels and the similarity kernels. `atob`
 * exists in Node, Electron and browsers alike.
 */
export function wasmBytes(base64: string): Uint8Array {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}
