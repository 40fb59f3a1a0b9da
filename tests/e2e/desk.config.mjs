// The widget served by the desk (xinjing-desk, SQLite): run after building both,
//   npx playwright test -c tests/e2e/desk.config.mjs
// Same browser and phone settings as the main suite; only desk*.e2e.mjs.
import base from './playwright.config.js';

export default {
  ...base,
  testMatch: /desk.*\.e2e\.mjs$/,
  projects: [{ name: 'phone-360', use: base.projects[0].use }],
};
