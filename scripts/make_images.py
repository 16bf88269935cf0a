"""Draw one SVG per catalog product into assets/products/, plus assets/favicon.svg.

    .venv/bin/python scripts/make_images.py

Offline and deterministic: a soft background per category, a simple drawing of the product type
(coloured by the product's first colour option, or a per-product colour) and the name underneath.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.seed import CATALOG

OUT = ROOT / "assets" / "products"

# Category: (background, accent circle, text colour)
CATEGORY_STYLE = {
    "outerwear": ("#e6eef7", "#d3e1f0", "#24384f"),
    "tops": ("#f7ece6", "#f0dccf", "#4f3024"),
    "footwear": ("#eaf4ea", "#d6ead6", "#26452a"),
    "accessories": ("#f4eaf6", "#e7d5ec", "#47284f"),
    "home": ("#f7f2e2", "#eee4c4", "#4a3f1c"),
}

# fmt: off
NAMED_COLOURS = {
    "navy": "#2f4a78", "olive": "#6f7a3a", "yellow": "#e8b931", "black": "#34363b", "red": "#c0443c",
    "white": "#f4f4f1", "grey": "#8a8f98", "green": "#3f7a4f",
}
# fmt: on
PALETTE = ["#3f6fb0", "#c0643c", "#4f8a5b", "#8a5aa8", "#c79a2e", "#b34d6a", "#3a8a8a", "#6b6f78", "#9a6a3f"]


def darker(hex_colour: str, factor: float = 0.62) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(v * factor) for v in (r, g, b)))


def lighter(hex_colour: str, amount: float = 0.35) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(v + (255 - v) * amount) for v in (r, g, b)))


def colour_for(code: str, options: tuple) -> str:
    if len(options) == 2:
        named = NAMED_COLOURS.get(options[0][0].lower())
        if named:
            return named
    digest = hashlib.sha256(code.encode()).digest()
    return PALETTE[digest[0] % len(PALETTE)]


# Each icon draws inside roughly x 80..320, y 60..300 with fill c and outline d.
def _s(d: str, w: int = 5) -> str:
    return f'stroke="{d}" stroke-width="{w}" stroke-linejoin="round" stroke-linecap="round"'


def icon_jacket(c: str, d: str) -> str:
    return f"""
<path d="M160 72 L118 90 L84 130 L72 262 L104 268 L112 168 L114 304 L286 304 L288 168 L296 268 L328 262 L316 130 L282 90 L240 72 Q200 112 160 72 Z" fill="{c}" {_s(d)}/>
<path d="M160 72 L200 118 L240 72" fill="none" {_s(d)}/>
<line x1="200" y1="118" x2="200" y2="304" {_s(d, 4)}/>
<path d="M130 222 h38 M232 222 h38" {_s(d, 4)}/>"""


def icon_puffer(c: str, d: str) -> str:
    return f"""
<path d="M160 72 L118 90 L84 130 L72 262 L104 268 L112 168 L114 300 L286 300 L288 168 L296 268 L328 262 L316 130 L282 90 L240 72 Q200 104 160 72 Z" fill="{c}" {_s(d)}/>
<path d="M114 140 Q200 152 286 140 M113 180 Q200 192 287 180 M113 220 Q200 232 287 220 M114 260 Q200 272 286 260" fill="none" {_s(d, 3)} opacity="0.7"/>
<path d="M84 170 L108 172 M78 215 L106 217" {_s(d, 3)} opacity="0.7"/>
<path d="M316 170 L292 172 M322 215 L294 217" {_s(d, 3)} opacity="0.7"/>
<rect x="166" y="60" width="68" height="26" rx="12" fill="{c}" {_s(d)}/>
<line x1="200" y1="86" x2="200" y2="300" {_s(d, 4)}/>"""


def icon_coat(c: str, d: str) -> str:
    return f"""
<path d="M162 62 L122 80 L90 118 L80 258 L110 262 L118 160 L110 322 L290 322 L282 160 L290 262 L320 258 L310 118 L278 80 L238 62 L200 150 Z" fill="{c}" {_s(d)}/>
<path d="M162 62 L184 140 L200 150 M238 62 L216 140 L200 150" fill="none" {_s(d)}/>
<line x1="200" y1="150" x2="200" y2="322" {_s(d, 4)}/>
<g fill="{d}"><circle cx="214" cy="184" r="6"/><circle cx="214" cy="224" r="6"/><circle cx="214" cy="264" r="6"/></g>"""


def icon_vest(c: str, d: str) -> str:
    return f"""
<path d="M160 70 L128 84 Q138 140 114 168 L114 302 L286 302 L286 168 Q262 140 272 84 L240 70 Q200 106 160 70 Z" fill="{c}" {_s(d)}/>
<line x1="200" y1="104" x2="200" y2="302" {_s(d, 4)}/>
<path d="M134 232 h36 M230 232 h36" {_s(d, 4)}/>"""


def icon_poncho(c: str, d: str) -> str:
    return f"""
<path d="M200 70 Q176 70 168 98 L70 268 Q200 320 330 268 L232 98 Q224 70 200 70 Z" fill="{c}" {_s(d)}/>
<ellipse cx="200" cy="104" rx="30" ry="14" fill="{darker(c, 0.8)}" {_s(d, 4)}/>
<path d="M120 258 L200 128 L280 258" fill="none" {_s(d, 3)} opacity="0.5"/>"""


def icon_tshirt(c: str, d: str) -> str:
    return f"""
<path d="M162 78 Q200 108 238 78 L318 112 L296 170 L264 158 L264 306 L136 306 L136 158 L104 170 L82 112 Z" fill="{c}" {_s(d)}/>
<path d="M162 78 Q200 122 238 78" fill="none" {_s(d, 4)}/>"""


def icon_polo(c: str, d: str) -> str:
    return (
        icon_tshirt(c, d)
        + f"""
<path d="M172 82 L200 120 L228 82" fill="{c}" {_s(d, 4)}/>
<line x1="200" y1="120" x2="200" y2="160" {_s(d, 3)}/>
<g fill="{d}"><circle cx="200" cy="134" r="4"/><circle cx="200" cy="150" r="4"/></g>"""
    )


def icon_tank(c: str, d: str) -> str:
    return f"""
<path d="M150 70 L150 110 Q150 150 126 170 L126 306 L274 306 L274 170 Q250 150 250 110 L250 70 L228 70 Q222 140 200 140 Q178 140 172 70 Z" fill="{c}" {_s(d)}/>"""


def icon_shirt(c: str, d: str) -> str:
    return f"""
<path d="M164 74 L120 90 L86 128 L74 270 L106 276 L116 170 L122 308 L278 308 L284 170 L294 276 L326 270 L314 128 L280 90 L236 74 Z" fill="{c}" {_s(d)}/>
<path d="M164 74 L182 118 L200 96 L218 118 L236 74 Z" fill="{darker(c, 0.88)}" {_s(d, 4)}/>
<line x1="200" y1="98" x2="200" y2="308" {_s(d, 3)}/>
<g fill="{d}"><circle cx="210" cy="140" r="4"/><circle cx="210" cy="180" r="4"/><circle cx="210" cy="220" r="4"/><circle cx="210" cy="260" r="4"/></g>
<rect x="134" y="136" width="34" height="30" rx="3" fill="none" {_s(d, 3)}/>"""


def icon_sweater(c: str, d: str) -> str:
    return f"""
<path d="M162 76 Q200 100 238 76 L282 90 L316 130 L330 262 L298 268 L282 170 L282 296 L118 296 L118 170 L102 268 L70 262 L84 130 L118 90 Z" fill="{c}" {_s(d)}/>
<path d="M162 76 Q200 118 238 76" fill="none" {_s(d, 4)}/>
<path d="M118 282 H282 M72 248 L102 254 M328 248 L298 254" {_s(d, 3)}/>
<path d="M150 130 v140 M200 130 v140 M250 130 v140" {_s(d, 2)} opacity="0.35"/>"""


def icon_hoodie(c: str, d: str) -> str:
    return (
        icon_sweater(c, d)
        + f"""
<path d="M160 80 Q166 40 200 40 Q234 40 240 80 Q200 112 160 80 Z" fill="{darker(c, 0.88)}" {_s(d, 4)}/>
<rect x="150" y="214" width="100" height="46" rx="10" fill="none" {_s(d, 3)}/>
<path d="M186 100 v40 M214 100 v40" {_s(d, 3)}/>"""
    )


def icon_sneaker(c: str, d: str) -> str:
    return f"""
<path d="M84 244 L92 168 Q118 166 140 150 L170 128 Q196 178 250 186 L300 196 Q326 202 326 230 L326 244 Z" fill="{c}" {_s(d)}/>
<rect x="80" y="242" width="250" height="22" rx="11" fill="{darker(c, 0.5)}" {_s(d, 4)}/>
<path d="M150 156 l18 14 M166 146 l18 14 M182 138 l16 12" {_s(d, 4)}/>
<path d="M92 206 Q160 214 220 230" fill="none" {_s(d, 3)} opacity="0.6"/>"""


def icon_loafer(c: str, d: str) -> str:
    return f"""
<path d="M86 246 L96 196 Q150 186 190 176 Q250 170 300 196 Q326 210 326 236 L326 246 Z" fill="{c}" {_s(d)}/>
<rect x="82" y="244" width="248" height="18" rx="9" fill="{darker(c, 0.5)}" {_s(d, 4)}/>
<path d="M190 196 Q236 186 280 204" fill="none" {_s(d, 4)}/>
<rect x="214" y="192" width="36" height="12" rx="4" fill="{darker(c, 0.8)}" {_s(d, 3)}/>"""


def icon_slipper(c: str, d: str) -> str:
    return f"""
<path d="M90 246 Q88 212 120 206 L200 196 Q260 176 304 206 Q326 222 326 246 Z" fill="{c}" {_s(d)}/>
<rect x="84" y="244" width="246" height="16" rx="8" fill="{darker(c, 0.55)}" {_s(d, 4)}/>
<path d="M200 198 Q236 226 300 210" fill="none" {_s(d, 3)} opacity="0.6"/>
<g fill="{d}" opacity="0.25"><circle cx="230" cy="206" r="4"/><circle cx="256" cy="200" r="4"/><circle cx="280" cy="204" r="4"/></g>"""


def icon_boot(c: str, d: str) -> str:
    return f"""
<path d="M130 70 L220 70 L222 196 Q270 200 304 214 Q328 226 328 252 L328 262 L112 262 L114 200 Z" fill="{c}" {_s(d)}/>
<rect x="108" y="260" width="224" height="24" rx="6" fill="{darker(c, 0.5)}" {_s(d, 4)}/>
<path d="M132 100 h88" {_s(d, 4)}/>
<path d="M160 70 Q176 150 222 196" fill="none" {_s(d, 3)} opacity="0.6"/>"""


def icon_hikingboot(c: str, d: str) -> str:
    return f"""
<path d="M128 96 L222 92 L226 192 Q272 198 306 212 Q330 224 330 252 L330 260 L110 260 L112 196 Z" fill="{c}" {_s(d)}/>
<rect x="120" y="76" width="108" height="26" rx="10" fill="{darker(c, 0.8)}" {_s(d)}/>
<path d="M108 258 H334 L332 276 Q330 288 318 288 L120 288 Q108 288 108 276 Z" fill="{darker(c, 0.45)}" {_s(d, 4)}/>
<path d="M124 288 v-10 M150 288 v-10 M176 288 v-10 M202 288 v-10 M228 288 v-10 M254 288 v-10 M280 288 v-10 M306 288 v-10" stroke="#ffffff" stroke-width="4" opacity="0.35"/>
<path d="M186 110 L216 120 M186 134 L218 144 M188 158 L222 168 M190 182 L226 190" {_s("#f2c14e", 5)}/>
<path d="M112 226 H200 Q260 226 328 240" fill="none" {_s(d, 3)} opacity="0.5"/>"""


def icon_sandal(c: str, d: str) -> str:
    return f"""
<path d="M86 250 Q84 222 118 220 L300 220 Q330 222 330 250 Q330 270 300 270 L118 270 Q86 270 86 250 Z" fill="#d9b48a" {_s(d)}/>
<path d="M140 220 Q150 150 200 150 Q250 150 258 220" fill="none" stroke="{c}" stroke-width="26" stroke-linecap="round"/>
<path d="M140 220 Q150 150 200 150 Q250 150 258 220" fill="none" {_s(d, 3)} opacity="0.4"/>
<rect x="80" y="268" width="256" height="12" rx="6" fill="{darker(c, 0.5)}"/>"""


def icon_sock(c: str, d: str) -> str:
    return f"""
<path d="M150 60 L240 60 L240 212 Q240 236 262 246 L300 262 Q332 276 318 306 Q306 330 276 318 L176 276 Q150 264 150 232 Z" fill="{c}" {_s(d)}/>
<path d="M150 96 H240 M150 110 H240" {_s(d, 3)}/>
<path d="M276 252 Q262 290 300 312" fill="none" {_s(d, 3)} opacity="0.6"/>"""


def icon_tote(c: str, d: str) -> str:
    return f"""
<path d="M146 140 Q146 70 182 70 Q206 70 206 140 M194 140 Q194 70 230 70 Q254 70 254 140" fill="none" {_s(d, 8)}/>
<path d="M100 136 L300 136 L290 316 L110 316 Z" fill="{c}" {_s(d)}/>
<rect x="150" y="196" width="100" height="62" rx="6" fill="none" {_s(d, 3)} opacity="0.6"/>"""


def icon_backpack(c: str, d: str) -> str:
    return f"""
<path d="M176 92 Q176 56 200 56 Q224 56 224 92" fill="none" {_s(d, 8)}/>
<rect x="110" y="86" width="180" height="226" rx="56" fill="{c}" {_s(d)}/>
<rect x="140" y="206" width="120" height="80" rx="18" fill="{darker(c, 0.85)}" {_s(d, 4)}/>
<path d="M140 232 H260" {_s(d, 3)}/>
<path d="M124 150 Q200 130 276 150" fill="none" {_s(d, 3)} opacity="0.6"/>"""


def icon_beanie(c: str, d: str) -> str:
    return f"""
<circle cx="200" cy="84" r="26" fill="{darker(c, 0.85)}" {_s(d, 4)}/>
<path d="M102 236 Q100 104 200 104 Q300 104 298 236 Z" fill="{c}" {_s(d)}/>
<rect x="92" y="226" width="216" height="56" rx="12" fill="{darker(c, 0.88)}" {_s(d)}/>
<path d="M122 232 v44 M152 232 v44 M182 232 v44 M212 232 v44 M242 232 v44 M272 232 v44" {_s(d, 3)} opacity="0.5"/>"""


def icon_cap(c: str, d: str) -> str:
    return f"""
<path d="M96 226 Q96 110 204 110 Q300 110 304 218 Z" fill="{c}" {_s(d)}/>
<path d="M96 222 Q200 226 304 216 Q338 238 336 262 Q300 250 214 252 Q120 254 96 240 Z" fill="{darker(c, 0.8)}" {_s(d)}/>
<path d="M204 110 L204 222 M150 120 Q140 170 146 222 M258 120 Q270 170 264 220" fill="none" {_s(d, 3)} opacity="0.6"/>
<circle cx="204" cy="108" r="7" fill="{d}"/>"""


def icon_scarf(c: str, d: str) -> str:
    return f"""
<path d="M120 90 Q200 130 280 90 L290 130 Q200 176 110 130 Z" fill="{c}" {_s(d)}/>
<path d="M236 130 L270 300 L222 306 L196 146 Z" fill="{c}" {_s(d)}/>
<path d="M226 306 v20 M238 304 v20 M250 302 v20 M262 300 v20" {_s(d, 4)}/>
<path d="M130 108 Q200 142 276 108" fill="none" stroke="#ffffff" stroke-width="6" opacity="0.45"/>
<path d="M244 180 L256 240" stroke="#ffffff" stroke-width="6" opacity="0.45"/>"""


def icon_glove(c: str, d: str) -> str:
    return f"""
<path d="M130 300 L130 200 Q104 186 98 160 Q96 140 114 146 L136 166 L136 92 Q136 78 150 78 Q164 78 164 92 L164 150 L166 70 Q166 56 180 56 Q194 56 194 70 L194 146 L198 76 Q198 62 212 62 Q226 62 226 76 L226 150 L230 96 Q230 82 244 82 Q258 82 258 96 L258 226 Q258 268 240 300 Z" fill="{c}" {_s(d)}/>
<rect x="124" y="286" width="124" height="34" rx="6" fill="{darker(c, 0.85)}" {_s(d, 4)}/>
<g fill="#ffffff" opacity="0.7"><circle cx="150" cy="92" r="6"/><circle cx="180" cy="70" r="6"/><circle cx="212" cy="76" r="6"/><circle cx="244" cy="96" r="6"/></g>"""


def icon_belt(c: str, d: str) -> str:
    return f"""
<path d="M70 236 Q60 140 200 140 Q340 140 330 236" fill="none" stroke="{c}" stroke-width="34"/>
<path d="M70 236 Q60 140 200 140 Q340 140 330 236" fill="none" {_s(d, 3)} opacity="0.5"/>
<rect x="170" y="112" width="60" height="58" rx="8" fill="none" stroke="#c9a24a" stroke-width="10"/>
<line x1="200" y1="118" x2="200" y2="164" stroke="#c9a24a" stroke-width="6"/>
<g fill="{d}"><circle cx="276" cy="148" r="4"/><circle cx="300" cy="160" r="4"/></g>"""


def icon_wallet(c: str, d: str) -> str:
    return f"""
<rect x="90" y="118" width="220" height="164" rx="16" fill="{c}" {_s(d)}/>
<path d="M90 150 H310" {_s(d, 3)} opacity="0.5"/>
<rect x="226" y="170" width="96" height="62" rx="12" fill="{darker(c, 0.85)}" {_s(d)}/>
<circle cx="252" cy="201" r="9" fill="#c9a24a"/>
<rect x="110" y="96" width="120" height="30" rx="4" fill="#f4f4f1" {_s(d, 3)} transform="rotate(-6 170 111)"/>"""


def icon_sunglasses(c: str, d: str) -> str:
    return f"""
<path d="M96 150 L60 140 M304 150 L340 140" {_s(d, 6)}/>
<path d="M92 150 H308" {_s(d, 6)}/>
<path d="M96 150 Q96 236 146 236 Q192 236 188 150 Z" fill="{c}" {_s(d)}/>
<path d="M212 150 Q208 236 254 236 Q304 236 304 150 Z" fill="{c}" {_s(d)}/>
<path d="M120 166 L140 200 M236 166 L256 200" stroke="#ffffff" stroke-width="6" opacity="0.45" stroke-linecap="round"/>"""


def icon_watch(c: str, d: str) -> str:
    return f"""
<rect x="170" y="56" width="60" height="288" rx="14" fill="{c}" {_s(d)}/>
<circle cx="200" cy="200" r="74" fill="#c9ccd2" {_s(d)}/>
<circle cx="200" cy="200" r="60" fill="#fbfbf8" {_s(d, 3)}/>
<path d="M200 200 L200 156 M200 200 L232 214" {_s(d, 6)}/>
<g fill="{d}"><circle cx="200" cy="150" r="4"/><circle cx="250" cy="200" r="4"/><circle cx="200" cy="250" r="4"/><circle cx="150" cy="200" r="4"/></g>
<rect x="272" y="192" width="12" height="16" rx="3" fill="{d}"/>"""


def icon_arclamp(c: str, d: str) -> str:
    return f"""
<ellipse cx="110" cy="306" rx="50" ry="14" fill="#d8d4cc" {_s(d)}/>
<path d="M110 300 L110 200 Q110 70 240 80 Q280 84 290 120" fill="none" {_s(d, 7)}/>
<path d="M250 120 L330 120 L316 170 L264 170 Z" fill="{c}" {_s(d)}/>
<path d="M270 170 L240 240 M310 170 L340 240" stroke="#f6d365" stroke-width="4" opacity="0.7" stroke-linecap="round"/>
<ellipse cx="290" cy="176" rx="12" ry="6" fill="#f6d365"/>"""


def icon_desklamp(c: str, d: str) -> str:
    return f"""
<ellipse cx="140" cy="300" rx="60" ry="14" fill="{c}" {_s(d)}/>
<path d="M140 294 L190 190 L150 110" fill="none" {_s(d, 8)}/>
<circle cx="190" cy="190" r="10" fill="{d}"/><circle cx="150" cy="110" r="10" fill="{d}"/>
<path d="M150 110 L206 74 L262 134 Q230 160 186 146 Z" fill="{c}" {_s(d)}/>
<path d="M222 150 L250 220 M244 140 L292 196" stroke="#f6d365" stroke-width="4" opacity="0.7" stroke-linecap="round"/>"""


def icon_mug(c: str, d: str) -> str:
    return f"""
<path d="M262 156 Q316 156 316 206 Q316 256 258 256" fill="none" {_s(d, 14)}/>
<path d="M262 156 Q316 156 316 206 Q316 256 258 256" fill="none" stroke="{c}" stroke-width="6"/>
<path d="M110 126 L274 126 L264 296 Q262 312 246 312 L138 312 Q122 312 120 296 Z" fill="{c}" {_s(d)}/>
<ellipse cx="192" cy="126" rx="82" ry="14" fill="{darker(c, 0.8)}" {_s(d, 4)}/>
<path d="M160 104 Q150 88 162 74 Q174 60 164 44 M200 104 Q190 88 202 74 Q214 60 204 44" fill="none" {_s(d, 4)} opacity="0.4"/>"""


def icon_candle(c: str, d: str) -> str:
    return f"""
<path d="M200 70 Q222 102 212 120 Q204 132 200 132 Q186 130 188 112 Q190 96 200 70 Z" fill="#f6b042" {_s("#c2711f", 3)}/>
<line x1="200" y1="132" x2="200" y2="152" {_s(d, 4)}/>
<rect x="124" y="150" width="152" height="156" rx="18" fill="{c}" {_s(d)}/>
<rect x="124" y="150" width="152" height="26" rx="12" fill="#f3ead8" {_s(d, 4)}/>
<rect x="152" y="214" width="96" height="52" rx="6" fill="#fbfbf8" {_s(d, 3)}/>"""


def icon_pillow(c: str, d: str) -> str:
    return f"""
<path d="M92 96 Q200 120 308 96 Q292 200 308 304 Q200 280 92 304 Q108 200 92 96 Z" fill="{c}" {_s(d)}/>
<path d="M140 150 Q200 200 140 250 M260 150 Q200 200 260 250" fill="none" {_s(d, 3)} opacity="0.35"/>
<circle cx="200" cy="200" r="8" fill="{d}" opacity="0.6"/>"""


def icon_blanket(c: str, d: str) -> str:
    light = lighter(c)
    return f"""
<rect x="90" y="214" width="220" height="62" rx="14" fill="{darker(c, 0.8)}" {_s(d)}/>
<rect x="100" y="164" width="200" height="58" rx="14" fill="{c}" {_s(d)}/>
<rect x="110" y="116" width="180" height="56" rx="14" fill="{light}" {_s(d)}/>
<path d="M130 116 v56 M160 116 v56 M190 116 v56 M220 116 v56 M250 116 v56" {_s(d, 3)} opacity="0.35"/>
<path d="M92 290 v14 M112 290 v14 M132 290 v14 M268 290 v14 M288 290 v14 M308 290 v14" {_s(d, 3)}/>"""


def icon_vase(c: str, d: str) -> str:
    return f"""
<path d="M200 188 Q196 120 170 70 M200 188 Q212 130 244 96" fill="none" stroke="#4f8a5b" stroke-width="5" stroke-linecap="round"/>
<circle cx="168" cy="66" r="16" fill="#e58fa2" {_s("#a4506a", 3)}/>
<circle cx="246" cy="92" r="12" fill="#f2c14e" {_s("#b08420", 3)}/>
<path d="M184 176 L216 176 L216 196 Q262 222 262 268 Q262 316 200 316 Q138 316 138 268 Q138 222 184 196 Z" fill="{c}" {_s(d)}/>"""


def icon_plant(c: str, d: str) -> str:
    return f"""
<g fill="#4f8a5b" {_s("#2f5a3a", 4)}>
<path d="M200 190 Q150 170 130 110 Q186 112 200 190 Z"/>
<path d="M200 190 Q252 166 272 104 Q214 110 200 190 Z"/>
<path d="M200 190 Q184 120 204 64 Q232 120 200 190 Z"/>
</g>
<rect x="122" y="184" width="156" height="30" rx="6" fill="{darker(c, 0.85)}" {_s(d)}/>
<path d="M134 212 L266 212 L250 312 L150 312 Z" fill="{c}" {_s(d)}/>"""


def icon_clock(c: str, d: str) -> str:
    ticks = "".join(
        f'<line x1="200" y1="92" x2="200" y2="{108 if i % 3 == 0 else 100}" transform="rotate({i * 30} 200 196)" {_s(d, 5 if i % 3 == 0 else 3)}/>'
        for i in range(12)
    )
    return f"""
<circle cx="200" cy="196" r="120" fill="{c}" {_s(d)}/>
<circle cx="200" cy="196" r="104" fill="#fbfbf8" {_s(d, 3)}/>
{ticks}
<path d="M200 196 L200 128 M200 196 L248 222" {_s(d, 7)}/>
<circle cx="200" cy="196" r="8" fill="{d}"/>"""


def icon_bottle(c: str, d: str) -> str:
    return f"""
<rect x="176" y="52" width="48" height="34" rx="8" fill="{darker(c, 0.6)}" {_s(d)}/>
<path d="M170 84 L230 84 L230 104 Q262 116 262 150 L262 300 Q262 318 244 318 L156 318 Q138 318 138 300 L138 150 Q138 116 170 104 Z" fill="{c}" {_s(d)}/>
<rect x="152" y="170" width="20" height="110" rx="10" fill="#ffffff" opacity="0.35"/>"""


ICONS = {name[5:]: fn for name, fn in globals().items() if name.startswith("icon_")}


def wrap_name(name: str, limit: int = 20) -> list[str]:
    if len(name) <= 26:
        return [name]
    words, lines, current = name.split(), [], ""
    for word in words:
        if current and len(current) + 1 + len(word) > limit:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    lines.append(current)
    return lines[:2]


def product_svg(code: str, name: str, category: str, icon: str, options: tuple) -> str:
    bg, accent, ink = CATEGORY_STYLE[category]
    c = colour_for(code, options)
    d = darker(c, 0.55) if c != NAMED_COLOURS["white"] else "#8a8f98"
    lines = wrap_name(name)
    y0 = 356 if len(lines) == 1 else 344
    text = "".join(
        f'<text x="200" y="{y0 + i * 24}" text-anchor="middle" font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif" font-size="20" font-weight="600" fill="{ink}">{escape(line)}</text>'
        for i, line in enumerate(lines)
    )
    return f"""<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" width="400" height="400" role="img" aria-label="{escape(name, {'"': "&quot;"})}">
<rect width="400" height="400" fill="{bg}"/>
<circle cx="200" cy="190" r="150" fill="{accent}"/>
<ellipse cx="200" cy="318" rx="120" ry="10" fill="{ink}" opacity="0.08"/>
<g>{ICONS[icon](c, d)}</g>
{text}
</svg>
"""


FAVICON = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<rect width="64" height="64" rx="14" fill="#2f4a78"/>
<path d="M24 24 Q24 12 32 12 Q40 12 40 24" fill="none" stroke="#f6d365" stroke-width="4" stroke-linecap="round"/>
<path d="M14 22 L50 22 L47 52 Q46.6 55 43.6 55 L20.4 55 Q17.4 55 17 52 Z" fill="#f4f4f1"/>
<path d="M26 38 L31 43 L40 32" fill="none" stroke="#2f4a78" stroke-width="4" stroke-linecap="round" stroke-linejoin="round"/>
</svg>
"""


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    written = 0
    wanted = set()
    for slug, _cat_name, products in CATALOG:
        for code, name, _price, icon, _option_names, options, _description in products:
            path = OUT / f"{code}.svg"
            path.write_text(product_svg(code, name, slug, icon, options), encoding="utf-8")
            wanted.add(path.name)
            written += 1
    for stale in OUT.glob("*.svg"):
        if stale.name not in wanted:
            stale.unlink()
    (ROOT / "assets" / "favicon.svg").write_text(FAVICON, encoding="utf-8")
    print(f"wrote {written} product images to {OUT.relative_to(ROOT)}/ and assets/favicon.svg")
    return 0


if __name__ == "__main__":
    sys.exit(main())
