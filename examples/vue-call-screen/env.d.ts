// What a .vue import is to TypeScript here; the components themselves are compiled by
// scripts/buildVueExample.ts (vue-tsc would check their scripts and templates).
declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent;
  export default component;
}
