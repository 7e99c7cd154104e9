// The plain-language engine's Emscripten glue (jargon/wasm/README.md), bundled by web/build.mjs
// from the jargon_wasm build; null in a build without it.
declare module 'liaise-jargon-glue' {
  const createLiaiseJargon: ((options: Record<string, unknown>) => Promise<unknown>) | null;
  export default createLiaiseJargon;
}
