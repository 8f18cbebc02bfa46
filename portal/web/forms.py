"""What every form of the portal shares."""


class KernFormMixin:
    """Gives inputs, selects, check boxes and radio buttons their KERN UX classes. Django itself ties help texts and
    errors to their inputs (aria-describedby with ``<id>_helptext`` and ``<id>_error``, aria-invalid)."""

    input_class = "kern-form-input__input"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            input_type = getattr(field.widget, "input_type", None)
            if input_type == "checkbox":
                field.widget.attrs.setdefault("class", "kern-form-check__checkbox")
            elif input_type == "radio":
                field.widget.attrs.setdefault("class", "kern-form-check__radio")
            elif input_type == "select":
                field.widget.attrs.setdefault("class", "kern-form-input__select")
            elif input_type != "file":
                field.widget.attrs.setdefault("class", self.input_class)
