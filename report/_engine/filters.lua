-- navrapport Pandoc filter, used by the built-in engine and listed in _quarto.yml.
-- Highlighted table cells ([56]{.hl}) get a Typst highlight in the PDF; in HTML the class
-- is styled by style.css. The cell text itself carries a second, non-colour cue.
-- The inline content of a span between two pieces of raw Typst.
local function typst_wrap(el, open, close)
  local out = { pandoc.RawInline("typst", open) }
  for _, x in ipairs(el.content) do table.insert(out, x) end
  table.insert(out, pandoc.RawInline("typst", close))
  return out
end

function Span(el)
  -- Text only for screen readers in HTML; the PDF has the visible marker and the note.
  if el.classes:includes("visually-hidden") and not FORMAT:match("html") then
    return {}
  end
  if not FORMAT:match("typst") then return nil end
  -- The caption of a figure we do not redraw: set like the captions of drawn figures.
  if el.classes:includes("figurtekst") then
    return typst_wrap(el, "#text(size: 9.5pt)[", "]")
  end
  if el.classes:includes("hl") then
    return typst_wrap(el, '#highlight(fill: rgb("#ffe680"), extent: 1pt)[#strong[', "]]")
  end
end

-- Framed boxes: a note (.merknad) and a figure we do not redraw (.figur-ikke-gjengitt).
function Div(el)
  if el.attributes["lang"] then return Div_lang(el) end
  if FORMAT:match("typst") then
    local fn = el.classes:includes("merknad") and "navmerknad"
      or (el.classes:includes("figur-ikke-gjengitt") and "ikkegjengitt") or nil
    if fn then
      local blocks = { pandoc.RawBlock("typst", "#" .. fn .. "[") }
      for _, b in ipairs(el.content) do table.insert(blocks, b) end
      -- Keep the id as a Typst label so cross-references (@fig-…) still land here.
      local label = (el.identifier ~= "" and (" <" .. el.identifier .. ">")) or ""
      table.insert(blocks, pandoc.RawBlock("typst", "]" .. label))
      return blocks
    end
  end
end

-- Typst resolves "/path" against the project root given to the compiler; the markdown
-- carries root-relative paths so the same text works for HTML (--resource-path).
function Image(el)
  if FORMAT:match("typst") and not el.src:match("^/") and not el.src:match("^%a+:") then
    el.src = "/" .. el.src
  end
  local alt = el.attributes["fig-alt"]
  if alt then
    el.attributes["fig-alt"] = nil
    el.attributes["alt"] = alt
  end
  return el
end

-- Pandoc's Typst writer drops the image description, and PDF/UA requires alt text on
-- every figure: write the figure as raw Typst with image(..., alt: ...). The figure stays
-- where it stands in the text (placement: none): a floating figure could land between a
-- table's rows or in the middle of a paragraph.
local function typst_string(s)
  return '"' .. s:gsub('\\', '\\\\'):gsub('"', '\\"') .. '"'
end

function Figure(el)
  if FORMAT:match("html") then
    -- Its own keyboard-focusable region, named by the caption.
    local name = pandoc.utils.stringify(el.caption.long)
    if name == "" then name = "Figur" end
    return pandoc.Div({ el }, pandoc.Attr("", { "figure-wrap" }, { { "role", "region" }, { "tabindex", "0" }, { "aria-label", name } }))
  end
  if not FORMAT:match("typst") then return nil end
  local img = nil
  pandoc.walk_block(el, { Image = function(i) img = img or i end })
  if not img then return nil end
  local alt = img.attributes["alt"] or img.attributes["fig-alt"] or pandoc.utils.stringify(el.caption.long)
  local src = img.src
  if not src:match("^/") then src = "/" .. src end
  -- citeproc has already formatted the citations; write their text, not Typst #cite().
  local long = pandoc.walk_block(pandoc.Div(el.caption.long), { Cite = function(c) return c.content end })
  local cap = pandoc.write(pandoc.Pandoc(long.content), "typst")
  local label = (el.identifier ~= "" and ("<" .. el.identifier .. ">")) or ""
  return pandoc.RawBlock("typst", "#figure(image(" .. typst_string(src) .. ", alt: " .. typst_string(alt) ..
    ", width: 100%), placement: none, caption: [" .. cap .. "])" .. label)
end

-- A wide table gets its own keyboard-focusable scroll region in HTML (WCAG 2.1.1 / 1.4.10),
-- named by its caption, instead of making the table element itself scroll.
function Table(el)
  if not FORMAT:match("html") then return nil end
  local name = pandoc.utils.stringify(el.caption.long)
  if name == "" then name = "Tabell" end
  -- Attributes as an ordered list: a Lua table has no fixed order, and the HTML must be byte-stable.
  return pandoc.Div({ el }, pandoc.Attr("", { "table-wrap" }, { { "role", "region" }, { "tabindex", "0" }, { "aria-label", name } }))
end

-- Quarto only: a table with a caption is a float whose caption Quarto keeps apart from the
-- table, so the scroll region made above would be named just "Tabell" (the same for every
-- table on the page). Name it by the float's caption. Pandoc alone has no such element.
function FloatRefTarget(float)
  if not FORMAT:match("html") or float.type ~= "Table" then return nil end
  local name = pandoc.utils.stringify(float.caption_long)
  if name == "" then return nil end
  float.content = pandoc.walk_block(pandoc.Div(float.content), {
    Div = function(d)
      if d.classes:includes("table-wrap") then d.attributes["aria-label"] = name end
      return d
    end
  }).content
  return float
end

-- A block in another language (the English abstract) is marked as such in the PDF too.
function Div_lang(el)
  local lang = el.attributes["lang"]
  if lang and FORMAT:match("typst") then
    local blocks = { pandoc.RawBlock("typst", '#[#set text(lang: "' .. lang .. '")') }
    for _, b in ipairs(el.content) do table.insert(blocks, b) end
    table.insert(blocks, pandoc.RawBlock("typst", "]"))
    return blocks
  end
end

-- Links are allowed only to http(s) addresses and to places in the report (#id). Anything else,
-- above all a `javascript:` or `data:` target from a bibliography field or from data text, stays
-- as its text and never becomes a live link (scripts/content/escape.py, `url`, says the same).
-- Runs after citeproc (listed after it, here and in _quarto.yml), so bibliography links are seen.
local function safe_target(target)
  local t = target:gsub("[%c%s]", ""):lower()
  if t:match("^#") then return true end
  return t:match("^https?://[^/]") ~= nil
end

function Link(el)
  if safe_target(el.target) then return nil end
  return el.content
end
