/* Placeholder for a real analytics script: it only marks that it ran. Loaded as a file,
   not inline, so the site's Content-Security-Policy (script-src 'self') allows it. */
document.documentElement.setAttribute("data-analytics", "on");
window.showroomAnalyticsRuns = (window.showroomAnalyticsRuns || 0) + 1;
