"""A protocol form's property without a widget of its own is typed as JSON: the textarea is
marked translate="no" (its keys and values are codes a person types, not interface words)."""

from amparo.cases.forms import JSONField


def test_json_textarea_is_marked_not_to_translate() -> None:
    field = JSONField(required=False)
    html = field.widget.render("outcomes", field.prepare_value([{"status": "not_admitted"}]))
    assert 'translate="no"' in html and "not_admitted" in html
