def test_an_event_the_declaration_does_not_describe_shows_plain_words_not_codes():
    from types import SimpleNamespace

    from roundtable.core.workflow import event_lines

    event = SimpleNamespace(workflow="channel", transition="referral", data={"source": "in_app", "kind": "walk_in"})
    # A code the declaration names a label for reads as that label; any other as plain words.
    assert event_lines(event) == [("Source", "Referral form in Roundtable"), ("Kind", "Walk in")]
