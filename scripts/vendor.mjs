// Copies the pinned front-end assets from node_modules into waishi/static/vendor/.
// Run with `npm ci && npm run vendor`; the result is committed so that no machine
// needs npm or the internet to serve the pages.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";

const dest = "waishi/static/vendor";
const files = [
  ["bootstrap/dist/css/bootstrap.min.css", "bootstrap/bootstrap.min.css"],
  ["bootstrap/dist/js/bootstrap.bundle.min.js", "bootstrap/bootstrap.bundle.min.js"],
  ["bootstrap-icons/font/bootstrap-icons.min.css", "bootstrap-icons/bootstrap-icons.min.css"],
  ["bootstrap-icons/font/fonts/bootstrap-icons.woff2", "bootstrap-icons/fonts/bootstrap-icons.woff2"],
  ["bootstrap-icons/font/fonts/bootstrap-icons.woff", "bootstrap-icons/fonts/bootstrap-icons.woff"],
  ["htmx.org/dist/htmx.min.js", "htmx/htmx.min.js"],
  ["tom-select/dist/js/tom-select.popular.min.js", "tom-select/tom-select.popular.min.js"],
  ["tom-select/dist/css/tom-select.bootstrap5.min.css", "tom-select/tom-select.bootstrap5.min.css"],
  // Only the browser tests load axe (tests/e2e/axe.py injects it); no page includes it.
  ["axe-core/axe.min.js", "axe-core/axe.min.js"],
];
for (const [src, dst] of files) {
  const target = `${dest}/${dst}`;
  mkdirSync(target.substring(0, target.lastIndexOf("/")), { recursive: true });
  let body = readFileSync(`node_modules/${src}`);
  if (/\.(css|js)$/.test(src)) {
    // The source maps are not vendored; a dangling reference breaks the static manifest.
    body = body.toString("utf8").replace(/\n?\/[*/]# sourceMappingURL=.*$/m, "\n");
  }
  writeFileSync(target, body);
  console.log(`${src} -> ${target}`);
}
