// Package webdriver drives the three browser engines the lab's
// end-to-end tests run in, through one interface: Chromium with chromedp
// (DevTools), Firefox ESR with WebDriver BiDi (built into Firefox: no
// geckodriver), and WebKitGTK, Safari's engine, with W3C WebDriver classic
// through WebKitWebDriver, which starts MiniBrowser under an Xvfb display
// of its own.
//
// Launch starts a browser with a fresh profile; its Page opens URLs,
// evaluates scripts, clicks, takes screenshots and keeps the console's
// errors. Eval and Wait evaluate again when a page navigates under them
// (a reload the page made itself), so a test does not race the page.
// Every Browser names the build it runs (Name), for the tests' logs.
//
// The package is test support: it also holds what the end-to-end
// packages share, such as Require, which skips a test when a browser is
// missing (or fails it under CONLAB_REQUIRE_BROWSERS=1), and LogBuffer.
package webdriver
