// Lets GOV.UK Frontend's styles know scripts run (kept out of the page: no inline scripts under our CSP).
document.body.classList.add("js-enabled", "govuk-frontend-supported");
