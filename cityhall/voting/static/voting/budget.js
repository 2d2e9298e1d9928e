// Knapsack ballots: show the running total as projects are ticked. The page works without this.
(function () {
  "use strict";
  var form = document.querySelector("form.budget-ballot[data-budget]");
  var data = document.getElementById("project-costs");
  if (!form || !data) { return; }
  var costs = JSON.parse(data.textContent);
  var budget = Number(form.getAttribute("data-budget"));
  var currency = form.getAttribute("data-currency");
  var output = document.getElementById("running-total");
  var holder = output.parentNode;
  var format = new Intl.NumberFormat(document.documentElement.lang || undefined);
  function update() {
    var total = 0;
    form.querySelectorAll("input[name=projects]:checked").forEach(function (box) {
      total += costs[box.value] || 0;
    });
    output.textContent = format.format(total) + " / " + format.format(budget) + " " + currency;
    holder.classList.toggle("over-budget", total > budget);
  }
  holder.hidden = false;
  form.addEventListener("change", update);
  update();
}());
