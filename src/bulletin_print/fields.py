"""Every text value an editor wrote in an issue or publication file, with where it is and the font
roles that will set it (see layout/bulletin.css): what the glyph and placeholder checks read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from bulletin_print import load
from bulletin_print.model import find_lead


@dataclass(frozen=True)
class Text:
    """One text value of a file, where it is, and the font roles that set it."""

    path: load.Path_
    text: str
    roles: tuple[str, ...]
    where: str = ""  # "第2篇《标题》第3段" when the value is part of an article


def texts(doc: load.Document) -> Iterator[Text]:
    """Every text value an editor wrote, with the fonts that will set it (see layout/bulletin.css)."""
    d = doc.data if isinstance(doc.data, dict) else {}
    simple = {"title": ("masthead",), "compiler": ("body",), "edition": ("body",), "editor": ("body",),
              "phone": ("body",), "note": ("kai",), "secrecy": ("hei",), "notice": ("hei",), "topic": ("body",)}
    for key, roles in simple.items():
        if isinstance(d.get(key), str):
            yield Text((key,), d[key], roles)
    for lines in ("distribution", "signoff"):
        for i, line in enumerate(d.get(lines) or []):
            for key in ("label", "text"):
                if isinstance(line, dict) and isinstance(line.get(key), str):
                    yield Text((lines, i, key), line[key], ("body",))
    count = 0
    for c, column in enumerate(d.get("columns") or []):
        if not isinstance(column, dict):
            continue
        if isinstance(column.get("name"), str):
            yield Text(("columns", c, "name"), column["name"], ("hei",))
        for a, article in enumerate(column.get("articles") or []):
            if not isinstance(article, dict):
                continue
            count += 1
            base = ("columns", c, "articles", a)
            title = article.get("title")
            lines = [title] if isinstance(title, str) else [t for t in title or [] if isinstance(t, str)]
            name = f"第{count}篇《{''.join(lines)}》"
            if isinstance(title, str):
                yield Text(base + ("title",), title, ("title", "body"), name + "标题")
            else:
                for t, line in enumerate(title or []):
                    if isinstance(line, str):
                        yield Text(base + ("title", t), line, ("title", "body"), name + "标题")
            for key, roles in (("subtitle", ("kai",)), ("note", ("kai",))):
                if isinstance(article.get(key), str):
                    yield Text(base + (key,), article[key], roles, name + ("副题" if key == "subtitle" else "按语"))
            for p, para in enumerate(article.get("paragraphs") or []):
                where = f"{name}第{p + 1}段"
                if isinstance(para, dict) and ("image" in para or "table" in para):
                    if isinstance(para.get("caption"), str):
                        yield Text(base + ("paragraphs", p, "caption"), para["caption"], ("kai",), where + "图表说明")
                    rows = para.get("table") if isinstance(para.get("table"), list) else []
                    for r, row in enumerate(rows):
                        for k, cell in enumerate(row if isinstance(row, list) else []):
                            if isinstance(cell, str):
                                roles = ("hei",) if r == 0 and para.get("header") else ("body",)
                                yield Text(base + ("paragraphs", p, "table", r, k), cell, roles, where + "表格")
                    continue
                if isinstance(para, str):
                    yield Text(base + ("paragraphs", p), para, ("body",), where)
                    if find_lead(para):
                        yield Text(base + ("paragraphs", p), find_lead(para), ("hei",), where)
                elif isinstance(para, dict) and isinstance(para.get("text"), str):
                    yield Text(base + ("paragraphs", p, "text"), para["text"], ("body",), where)
                    lead = para.get("lead")
                    if isinstance(lead, str):
                        yield Text(base + ("paragraphs", p, "lead"), lead, ("hei",), where)
                    elif lead is None and find_lead(para["text"]):
                        yield Text(base + ("paragraphs", p, "text"), find_lead(para["text"]), ("hei",), where)
            if isinstance(article.get("attribution"), str):
                yield Text(base + ("attribution",), article["attribution"], ("kai",), name + "署名")
    briefs = d.get("briefs")
    if isinstance(briefs, dict):
        if isinstance(briefs.get("column"), str):
            yield Text(("briefs", "column"), briefs["column"], ("hei",))
        for i, item in enumerate(briefs.get("items") or []):
            if isinstance(item, dict):
                for key, roles in (("text", ("body",)), ("attribution", ("kai",))):
                    if isinstance(item.get(key), str):
                        yield Text(("briefs", "items", i, key), item[key], roles, f"信息摘登第{i + 1}则")
