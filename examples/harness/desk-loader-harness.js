// desk-loader's outcome, for a desk team's own Playwright suite: copy this
// file and desk.spec.js beside it (docs/embed.md, "Awaiting the outcome").
// It waits on `window.deskLoader.settled`, the Promise of the boot's report,
// and fails with every problem the report lists: the variable that is
// missing, the release that threw, the backend that does not fit.

/** The boot's report, once the boot has ended (ready or failed). */
async function deskReport(page) {
  // boot.js makes the Promise when it starts; the page may not have run it yet.
  await page.waitForFunction(() => window.deskLoader && window.deskLoader.settled);
  return page.evaluate(() => window.deskLoader.settled);
}

/** One line per problem: severity, code, message. */
function describeProblems(report) {
  return (report.problems || []).map((p) => `  ${p.severity} ${p.code}: ${p.message}`).join("\n");
}

/**
 * Fails unless the desk became ready; the error lists the report's problems.
 * With `{ warnings: false }`, a ready desk that met problems on its way
 * (a fallback, a feature switched off) fails too.
 */
async function expectDeskReady(page, { warnings = true } = {}) {
  const report = await deskReport(page);
  if (report.outcome !== "ready") {
    throw new Error(`the desk did not start: ${report.code} (support code ${report.supportCode})\n${describeProblems(report)}`);
  }
  if (!warnings && report.problems.length > 0) {
    throw new Error(`the desk started on ${report.release}, with problems:\n${describeProblems(report)}`);
  }
  return report;
}

module.exports = { deskReport, expectDeskReady, describeProblems };
