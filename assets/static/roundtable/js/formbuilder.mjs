// Show-if conditions on a form being filled in: a question whose condition is not met is
// hidden as the person answers. The server applies the same rules on submit (answers to
// hidden questions are dropped), so this is a convenience, never the check.
// Conditions on a radio question directly above use GOV.UK's conditional reveal instead.

function answerOf(form, questionId) {
  const values = [];
  for (const element of form.elements) {
    const name = element.name || "";
    const mine = name === questionId || name.startsWith(`${questionId}-`);
    if (!mine || element.type === "hidden" || element.type === "file") continue;
    if ((element.type === "radio" || element.type === "checkbox") && !element.checked) continue;
    if (element.value.trim() !== "") values.push(element.value);
  }
  return values;
}

function isShown(form, condition) {
  const wrapper = form.querySelector(`[data-question="${CSS.escape(condition.question)}"]`);
  if (wrapper && wrapper.hidden) return false; // a question that depends on a hidden one is hidden too
  const values = answerOf(form, condition.question);
  if (condition.op === "answered") return values.length > 0;
  const wanted = condition.op === "equals" ? [condition.value] : condition.values || [];
  return values.some((value) => wanted.includes(value));
}

function update(form) {
  for (const element of form.querySelectorAll("[data-show-if]")) {
    let condition;
    try {
      condition = JSON.parse(element.dataset.showIf);
    } catch {
      continue;
    }
    element.hidden = !isShown(form, condition);
  }
}

for (const form of document.querySelectorAll("form.rt-fill-form")) {
  update(form);
  form.addEventListener("change", () => update(form));
  form.addEventListener("input", () => update(form));
}
