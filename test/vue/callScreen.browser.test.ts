// The Vue example (examples/vue-call-screen), its .vue files compiled by Vue's own SFC
// compiler and bundled with esbuild, opened in headless Chromium (the suite, shared with
// the React example: test/support/callScreenBrowser.ts).
import { buildVueExample } from '../../scripts/buildVueExample.js';
import { describeCallScreenInChromium } from '../support/callScreenBrowser.js';

describeCallScreenInChromium('Vue', 'test/vue/callScreen.browser.test.ts', buildVueExample);
