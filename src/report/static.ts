/**
 * Alias of ./static-report.js (the CLI's `compare --html` imports this path).
 * @example import { renderStaticReport } from './static.js';
 */
export { renderStaticReport, reportCss, type StaticReportInput } from './static-report.js';
