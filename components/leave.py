"""Full page loads the server asks for (SessionState.leave_to, set by app/state/session.py
`go_through_endpoint`), without `rx.call_script`: Reflex runs that with eval, which the store's
Content-Security-Policy forbids (app/headers.py). The code is compiled into the page's own script.

The tab remembers (sessionStorage) the address it left for until the next page has loaded: the state that
page receives first still holds it (its on_load clears `leave_to`), and must not send the tab there again.
"""

from __future__ import annotations

import reflex as rx
from reflex.vars.base import VarData

from app.state.session import SessionState

_KEY = "hp-left-for"


class FullPageLoad(rx.Fragment):
    def add_hooks(self) -> list[rx.Var]:
        target, loaded = SessionState.leave_to, rx.State.is_hydrated
        code = f"""useEffect(() => {{
    const to = {target!s};
    try {{
        if (!to) {{
            if ({loaded!s}) sessionStorage.removeItem("{_KEY}");
            return;
        }}
        if (sessionStorage.getItem("{_KEY}") === to) return;
        sessionStorage.setItem("{_KEY}", to);
    }} catch (e) {{
        if (!to) return;
    }}
    window.location.replace(to);
}}, [{target!s}, {loaded!s}]);"""
        data = VarData.merge(
            target._get_all_var_data(), loaded._get_all_var_data(), VarData(imports={"react": ["useEffect"]})
        )
        return [rx.Var(_js_expr=code, _var_data=data)]


def full_page_load() -> rx.Component:
    return FullPageLoad.create()
