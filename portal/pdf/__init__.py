"""PDF documents: a safe one-document render (``render``), documents that share layers
(``layers``) and the shipped fonts (``fonts``). Apps use the names below."""

from portal.pdf.layers import (
    Background,
    ImageMask,
    LayoutError,
    element_box,
    forget_layers,
    render_layered_pdf,
)
from portal.pdf.render import (
    ACCESSIBLE,
    ASSET_DIR,
    STYLESHEET_LINK,
    FetchRefused,
    MissingGlyphs,
    blank_pdf,
    layout_document,
    prepare,
    render_pdf,
    safe_url_fetcher,
)
from portal.pdf.warm import Warm

__all__ = [
    "ACCESSIBLE",
    "ASSET_DIR",
    "STYLESHEET_LINK",
    "Background",
    "FetchRefused",
    "ImageMask",
    "LayoutError",
    "MissingGlyphs",
    "blank_pdf",
    "element_box",
    "forget_layers",
    "layout_document",
    "prepare",
    "render_layered_pdf",
    "render_pdf",
    "safe_url_fetcher",
    "Warm",
]
