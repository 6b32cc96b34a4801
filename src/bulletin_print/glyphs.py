"""Glyph coverage: every character an editor wrote against the fonts of the role that sets it
(a fallback's glyph is a warning, none at all an error), and the report of `bulletin-print fonts`."""

from __future__ import annotations

import unicodedata

from bulletin_print import load
from bulletin_print.fields import texts
from bulletin_print.model import Problem, warn


ROLE_NAMES = {"body": "正文", "kai": "楷体署名", "title": "标题", "masthead": "刊头", "hei": "黑体"}


NO_GLYPH = ("所有字体都没有，无法排印；请换一种写法（如改用文字说明、通用规范汉字表中的字），或把有此字的字体放进刊物的"
            " fonts/ 文件夹 (no font has this character: write it another way, or put a font that has it in the"
            " publication's fonts/)")


# A private-use character means whatever the font that draws it says: a 造字 program's rare name
# character here, a vertical comma in FandolFang there. It is never set, whichever font has it.
PRIVATE_USE = ("是私用区字符（多由造字程序造出，换一台电脑、换一种字体就变样），无法排印；请改用这个字在 Unicode 中的标准"
               "编码（生僻字多在扩展 B 区及以后），或换一种写法，或把造出此字的字体放进刊物的 fonts/ 文件夹 (a private-use"
               " character: use the character's standard code point, write it another way, or put the font that"
               " made it in the publication's fonts/)")


def glyph_problems(doc: load.Document, pub: load.Document | None = None) -> list[Problem]:
    """Characters that only a fallback font has (warning) or that no shipped font has (error)."""
    from bulletin_print import fonts

    out: list[Problem] = []
    for d in (pub, doc):
        if d is None:
            continue
        for t in texts(d):
            seen: set[tuple[str, str]] = set()
            where = f"{t.where}：" if t.where else ""
            for ch in t.text:
                code = ord(ch)
                if ch in " \n\t\u3000":
                    continue
                cat = unicodedata.category(ch)
                if cat in ("Cc", "Cs") or (cat == "Cf" and ch not in "\u200b\u2060"):
                    if ("ctl", ch) not in seen:
                        seen.add(("ctl", ch))
                        out.append(d.problem(t.path, load.CONTROL.format(code)))
                    continue
                if cat == "Co" and not all(fonts.publication_draws(role, ch) for role in t.roles):
                    if ("pua", ch) not in seen:
                        seen.add(("pua", ch))
                        out.append(d.problem(t.path, f"{where}「{ch}」(U+{code:04X}) {PRIVATE_USE}"))
                    continue
                for role in t.roles:
                    if (role, ch) in seen or fonts.covers(role, ch):
                        continue
                    seen.add((role, ch))
                    fallback = fonts.face(role, ch)
                    if fallback is None:
                        out.append(d.problem(t.path, f"{where}「{ch}」(U+{code:04X}) {NO_GLYPH}"))
                        break
                    if fallback == fonts.PUBLICATION:  # the publication's own font, added for such characters
                        continue
                    family = fonts.font_for(fallback).family
                    out.append(warn(d.problem(t.path, f"{where}「{ch}」(U+{code:04X}) {ROLE_NAMES.get(role, role)}"
                                                      f"字体没有，将用备用字体 {family} 排印 (only in a fallback font)")))
    return out


def coverage(have: set[int] | frozenset[int]) -> list[str]:
    """One row per character set of the report: how many of its characters `have` holds, as a
    count and a floored percentage (7444/7445 is 99.9 %, never 100.0 %), and the first missing."""
    from bulletin_print import fonts

    sets = (("GB 2312", fonts.charset("gb2312")), ("通用规范汉字表", fonts.charset("tygf8105")),
            ("CJK 基本区 U+4E00–9FFF", "".join(map(chr, range(0x4E00, 0xA000)))),
            ("CJK 扩展 A U+3400–4DBF", "".join(map(chr, range(0x3400, 0x4DC0)))),
            ("常用符号 (symbols)", fonts.SYMBOLS))
    rows = []
    for name, chars in sets:
        missing = [c for c in chars if ord(c) not in have]
        n, total = len(chars) - len(missing), len(chars)
        permille = 1000 * n // total
        row = f"{name}: {n}/{total} ({permille // 10}.{permille % 10}%)"
        if missing:
            row += f"，缺 {len(missing)} 字 (missing)：「{''.join(missing[:12])}{'…' if len(missing) > 12 else ''}」"
        rows.append(row)
    return rows


def font_report() -> list[str]:
    """What `bulletin-print fonts` prints: one block per shipped font, then what each role's font
    and its fallbacks (as layout/bulletin.css lists them) set together."""
    from bulletin_print import fonts

    rows = []
    for f in fonts.manifest():
        have = fonts.metrics(f.role).codepoints()
        rows.append(f"{f.role:<13} {f.family}  ({f.file})")
        rows.append(f"    版本 (version): {f.version}    许可 (licence): {f.licence}  [fonts/{f.licence_file}]")
        rows.append(f"    覆盖 (coverage): 共 {len(have)} 个字符 (characters)")
        rows += [f"      {row}" for row in coverage(have)]
    rows.append("各角色连同备用字体 (each role with its fallbacks):")
    for role in (*fonts.TEXT_ROLES, "fallback"):
        chain = fonts.chain(role)
        rows.append(f"{role:<13} " + " → ".join(f.family for f in chain))
        have = set().union(*(fonts.Metrics([f.path]).codepoints() for f in chain))
        rows.append("      " + "；".join(coverage(have)))
    return rows
