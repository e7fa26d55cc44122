// Searchable multi-select over a plain <select multiple data-multi> (which keeps working, and
// keeps being what the form submits, without JavaScript). Type to filter, chips for the chosen
// options, full labels; keyboard: arrows move, Enter chooses or removes, Escape closes,
// Backspace in an empty filter removes the last chip.
(function () {
  "use strict";

  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function enhance(select) {
    var base = select.id, wrap = document.createElement("div");
    wrap.className = "ms";
    var chips = document.createElement("ul");
    chips.className = "ms-chips";
    chips.setAttribute("aria-label", select.dataset.chosenLabel || "Chosen");
    var input = document.createElement("input");
    input.type = "text";
    input.id = base + "-filter";
    input.className = "ms-filter";
    input.autocomplete = "off";
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", base + "-list");
    if (select.getAttribute("aria-describedby")) input.setAttribute("aria-describedby", select.getAttribute("aria-describedby"));
    var list = document.createElement("ul");
    list.id = base + "-list";
    list.className = "ms-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-multiselectable", "true");
    list.hidden = true;
    var none = document.createElement("p");
    none.className = "ms-none muted";
    none.textContent = select.dataset.noneLabel || "";
    none.hidden = true;

    var items = [];
    Array.prototype.forEach.call(select.querySelectorAll("optgroup, option"), function (node) {
      var li = document.createElement("li");
      if (node.tagName === "OPTGROUP") {
        li.className = "ms-group";
        li.setAttribute("role", "presentation");
        li.textContent = node.label;
        list.appendChild(li);
        items.push({ group: true, li: li });
        return;
      }
      li.id = base + "-o-" + items.length;
      li.setAttribute("role", "option");
      li.textContent = node.textContent;
      var group = node.parentNode.tagName === "OPTGROUP" ? node.parentNode.label : "";
      var item = { option: node, li: li, key: fold(node.textContent + " " + group + " " + node.value) };
      li.addEventListener("mousedown", function (e) { e.preventDefault(); });
      li.addEventListener("click", function () { toggle(item); input.focus(); });
      list.appendChild(li);
      items.push(item);
    });
    var active = null;

    function visible() {
      return items.filter(function (it) { return !it.group && !it.li.hidden; });
    }
    function setActive(it) {
      if (active) active.li.classList.remove("active");
      active = it;
      if (it) {
        it.li.classList.add("active");
        input.setAttribute("aria-activedescendant", it.li.id);
        it.li.scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }
    function open(show) {
      list.hidden = !show;
      input.setAttribute("aria-expanded", show ? "true" : "false");
      none.hidden = !show || visible().length > 0;
      if (!show) setActive(null);
    }
    function filter() {
      var words = fold(input.value).split(/\s+/).filter(Boolean);
      var lastGroup = null, groupHasAny = false;
      items.forEach(function (it) {
        if (it.group) {
          if (lastGroup) lastGroup.li.hidden = !groupHasAny;
          lastGroup = it; groupHasAny = false;
          return;
        }
        var ok = words.every(function (w) { return it.key.indexOf(w) >= 0; });
        it.li.hidden = !ok;
        if (ok) groupHasAny = true;
      });
      if (lastGroup) lastGroup.li.hidden = !groupHasAny;
      var vis = visible();
      if (active && active.li.hidden) setActive(null);
      if (!active && vis.length && words.length) setActive(vis[0]);
      open(true);
    }
    function toggle(it) {
      it.option.selected = !it.option.selected;
      select.dispatchEvent(new Event("change", { bubbles: true }));
      render();
    }
    function render() {
      chips.innerHTML = "";
      items.forEach(function (it) {
        if (it.group) return;
        it.li.setAttribute("aria-selected", it.option.selected ? "true" : "false");
        if (!it.option.selected) return;
        var chip = document.createElement("li");
        chip.className = "chip";
        var text = document.createElement("span");
        text.textContent = it.option.textContent;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = "×";
        remove.setAttribute("aria-label", (select.dataset.removeLabel || "Remove") + ": " + it.option.textContent);
        remove.addEventListener("click", function () { toggle(it); input.focus(); });
        chip.appendChild(text);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
      chips.hidden = !chips.children.length;
    }

    input.addEventListener("focus", filter);
    input.addEventListener("input", function () { setActive(null); filter(); });
    input.addEventListener("blur", function () { open(false); });
    input.addEventListener("keydown", function (e) {
      var vis = visible(), i = active ? vis.indexOf(active) : -1;
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        if (list.hidden) filter();
        if (!vis.length) return;
        i = e.key === "ArrowDown" ? Math.min(i + 1, vis.length - 1) : Math.max(i - 1, 0);
        setActive(vis[i]);
      } else if (e.key === "Enter") {
        e.preventDefault();  // never submits the form from the filter
        if (active) toggle(active); else filter();
      } else if (e.key === "Escape") {
        if (!list.hidden) { e.preventDefault(); open(false); }
      } else if (e.key === "Backspace" && !input.value) {
        var chosen = items.filter(function (it) { return !it.group && it.option.selected; });
        if (chosen.length) toggle(chosen[chosen.length - 1]);
      }
    });

    var label = document.querySelector('label[for="' + CSS.escape(base) + '"]');
    if (label) label.htmlFor = input.id;
    select.hidden = true;
    select.tabIndex = -1;
    wrap.appendChild(chips);
    wrap.appendChild(input);
    wrap.appendChild(list);
    wrap.appendChild(none);
    select.parentNode.insertBefore(wrap, select.nextSibling);
    render();
  }

  document.querySelectorAll("select[multiple][data-multi]").forEach(enhance);
})();
