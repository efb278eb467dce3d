// The React example (examples/react-call-screen), built with esbuild and opened in
// headless Chromium (the suite, shared with the Vue example: test/support/callScreenBrowser.ts).
import { buildReactExample } from '../../scripts/buildReactExample.js';
import { describeCallScreenInChromium } from '../support/callScreenBrowser.js';

describeCallScreenInChromium('React', 'test/react/callScreen.browser.test.ts', buildReactExample);
