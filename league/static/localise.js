// Streamlit and Plotly draw some words of their own (the uploader, toolbars,
// menus, tooltips, the running indicator). Neither can be told a language, so
// this puts the page in zh-CN and rewrites those words, from the dictionary
// in streamlit_zh.json, whenever they appear. Installed once per page.
(function (dictionary) {
  if (window.__leagueLocalised) return;
  window.__leagueLocalised = true;
  const ATTRIBUTES = ["title", "aria-label", "placeholder", "data-title", "aria-placeholder"];
  const patterns = dictionary.patterns.map(([source, target]) => [new RegExp(source), target]);

  function translate(text) {
    const trimmed = text.trim();
    if (!trimmed || !/[A-Za-z]/.test(trimmed)) return null;
    if (Object.prototype.hasOwnProperty.call(dictionary.exact, trimmed)) {
      return text.replace(trimmed, dictionary.exact[trimmed]);
    }
    for (const [pattern, target] of patterns) {
      if (pattern.test(trimmed)) return text.replace(trimmed, trimmed.replace(pattern, target));
    }
    return null;
  }

  function localiseText(node) {
    const parent = node.parentElement;
    if (!parent || parent.closest("style, script, [data-testid=stIconMaterial]")) return;
    const translated = translate(node.nodeValue);
    if (translated !== null && translated !== node.nodeValue) node.nodeValue = translated;
  }

  function localiseAttributes(element) {
    for (const name of ATTRIBUTES) {
      const value = element.getAttribute(name);
      if (value === null) continue;
      const translated = translate(value);
      if (translated !== null && translated !== value) element.setAttribute(name, translated);
    }
  }

  function localise(root) {
    if (root.nodeType === Node.TEXT_NODE) return localiseText(root);
    if (root.nodeType !== Node.ELEMENT_NODE) return;
    localiseAttributes(root);
    for (const element of root.querySelectorAll("[" + ATTRIBUTES.join("],[") + "]")) localiseAttributes(element);
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) localiseText(walker.currentNode);
  }

  document.documentElement.lang = "zh-CN";
  localise(document.body);
  new MutationObserver((mutations) => {
    if (document.documentElement.lang !== "zh-CN") document.documentElement.lang = "zh-CN";
    for (const mutation of mutations) {
      if (mutation.type === "characterData") localiseText(mutation.target);
      else if (mutation.type === "attributes") localiseAttributes(mutation.target);
      else mutation.addedNodes.forEach(localise);
    }
  }).observe(document.documentElement, {
    subtree: true, childList: true, characterData: true, attributes: true,
    attributeFilter: ATTRIBUTES.concat(["lang"]),
  });
})(DICTIONARY);
