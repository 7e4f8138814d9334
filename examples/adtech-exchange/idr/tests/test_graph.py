from app.graph import Identifiers


def test_keys_are_namespaced_per_identifier():
    ids = Identifiers(publisher_id="pub-1", device_ifa="ifa-1", device_ip="203.0.113.7", user_id="u-9")
    assert ids.keys() == ["idr:ifa:ifa-1", "idr:uid:pub-1:u-9", "idr:ip:203.0.113.7"]


def test_no_identifiers_means_no_keys():
    assert Identifiers(publisher_id="pub-1").keys() == []
