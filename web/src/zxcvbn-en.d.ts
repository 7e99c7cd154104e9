// Types for the parts of @zxcvbn-ts/language-en imported one by one (src/client/strength.ts):
// the package declares only its index.
declare module '@zxcvbn-ts/language-en/dist/commonWords.json.mjs' {
  const words: string[];
  export default words;
}
declare module '@zxcvbn-ts/language-en/dist/firstnames.json.mjs' {
  const words: string[];
  export default words;
}
declare module '@zxcvbn-ts/language-en/dist/translations.mjs' {
  import { translations } from '@zxcvbn-ts/language-en';
  const t: typeof translations;
  export default t;
}
