import reflex as rx

class S(rx.State):
    n: int = 0
    def inc(self):
        self.n += 1

def index():
    return rx.vstack(rx.heading("hello"), rx.button("inc", on_click=S.inc, custom_attrs={"data-testid": "b"}), rx.text(S.n, custom_attrs={"data-testid": "n"}))

def product():
    return rx.text("code: ", rx.State.code, custom_attrs={"data-testid": "code"})

app = rx.App()
app.add_page(index, route="/")
app.add_page(product, route="/product/[code]")
