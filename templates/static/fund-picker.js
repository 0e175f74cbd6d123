// The campaign form's fund picker: a search box over the funds, which are grouped by subdistrict.
// Without this script the grouped list works as it is; with it, typing part of a fund's,
// community's or subdistrict's name (or its code) keeps only the funds that match.
(function () {
  'use strict';
  var picker = document.querySelector('[data-fund-picker]');
  if (!picker) return;
  var select = picker.querySelector('select');
  var search = picker.querySelector('input[type="search"]');
  var status = picker.querySelector('[data-fund-count]');
  if (!select || !search) return;
  var placeholder = select.querySelector('option[value=""]');
  var groups = Array.prototype.map.call(select.querySelectorAll('optgroup'), function (group) {
    return {
      label: group.label,
      options: Array.prototype.map.call(group.querySelectorAll('option'), function (option) {
        return { value: option.value, text: option.textContent };
      }),
    };
  });
  var countText = status ? status.getAttribute('data-fund-count') : '';

  function matches(text, words) {
    var lower = text.toLowerCase();
    return words.every(function (w) {
      return lower.indexOf(w) >= 0;
    });
  }

  function show() {
    var chosen = select.value;
    var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    while (select.firstChild) select.removeChild(select.firstChild);
    if (placeholder) select.appendChild(placeholder);
    groups.forEach(function (group) {
      var keep = group.options.filter(function (o) {
        return o.value === chosen || matches(group.label + ' ' + o.text, words);
      });
      if (keep.length === 0) return;
      var element = document.createElement('optgroup');
      element.label = group.label;
      keep.forEach(function (o) {
        var option = document.createElement('option');
        option.value = o.value;
        option.textContent = o.text;
        option.selected = o.value === chosen;
        element.appendChild(option);
        shown += 1;
      });
      select.appendChild(element);
    });
    if (status) status.textContent = countText.replace('{count}', String(shown));
  }

  search.hidden = false;
  if (status) status.hidden = false;
  search.addEventListener('input', show);
  show();
})();
