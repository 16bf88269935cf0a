"""The store's look in one place: colours, spacing, widths and radii that pages and components use by name.

Colours are Radix theme tokens (they follow the light/dark appearance); change a token here and every page
follows. Pages never write a colour, a width or a radius of their own.
"""

# -- colours --------------------------------------------------------------------------------------------
TEXT = "var(--gray-12)"
MUTED = "var(--gray-11)"  # secondary text: hints, dates, "No orders yet."
FAINT = "var(--gray-9)"  # icons of empty states
DANGER = "var(--red-11)"  # field errors, discounted prices
DANGER_SOLID = "var(--red-9)"
WARNING = "var(--amber-11)"  # lock notices, idle warnings
WARNING_SOFT = "var(--amber-3)"
SUCCESS = "var(--green-11)"
SUCCESS_SOLID = "var(--green-9)"
INFO_SOLID = "var(--blue-9)"
LINE = "var(--gray-4)"  # table rules and card borders
HEADER_RULE = "var(--gray-5)"  # under the header (the on-behalf band replaces it)
LINE_STRONG = "var(--gray-6)"  # dashed outline of empty states
PANEL = "var(--color-panel-solid)"
ON_BEHALF = "#b45309"  # the on-behalf band: staff must never mistake it for the customer's own view

# -- shapes ---------------------------------------------------------------------------------------------
RADIUS_SMALL = "6px"  # thumbnails, badges
RADIUS = "8px"  # toasts, panels
RADIUS_LARGE = "12px"  # empty states, cards
SHADOW = "0 8px 24px rgba(0,0,0,.15)"

# -- widths ---------------------------------------------------------------------------------------------
FORM_WIDTH = "420px"  # sign-in, set password, a panel of controls
FORM_WIDE = "460px"  # forms with two columns of short fields
TEXT_WIDTH = "560px"  # paragraphs
MEDIA_WIDTH = "520px"  # the product image
THUMB = "56px"  # a cart line's image
THUMB_SMALL = "44px"  # a mini-cart line's image
LOGO = "28px"
QUANTITY_INPUT = "80px"  # the cart's quantity box
QUANTITY_INPUT_SMALL = "90px"  # the product page's quantity box
MINICART_WIDTH = "320px"
MINICART_HEIGHT = "300px"  # the mini-cart's lines scroll beyond this
SEARCH_MIN = "160px"
TIME_COLUMN = "170px"  # a date and time in a list
SUMMARY_WIDTH = "320px"  # the totals under the cart's lines
SUMMARY_WIDE = "360px"  # the totals under an order's lines (with the shipping method's name)

# -- spacing ----------------------------------------------------------------------------------------------
PAD_EMPTY = "2.5em"  # inside an empty state
PAD_PAGE = "2em"
PAD_LOADING = "3em"
PAD_PANEL = "0.75em"  # inside a tinted panel (the lock controls, the cart-code box)
