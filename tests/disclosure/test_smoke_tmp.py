import json
from tests.disclosure.conftest import City

def test_smoke(city: City, tmp_path) -> None:
    maria = city.applications["maria"]
    r = city.as_counsel("request", "file", "--requester-kind", "local_police", "--instrument", "judicial_warrant",
        "--scope", json.dumps({"application_ids": [maria], "fields": ["family_name", "date_of_birth", "address"]}),
        "--requester", "Det. Smith, NYPD 110th", "--docket", "80258/16")
    print(r.out, r.err)
    assert r.code == 0
    rid = r.json["request_id"]
    d = city.as_counsel("request", "decide", rid, "--override", "granted", "--fields", "family_name,date_of_birth", "--reason", "warrant names these")
    print(d.out, d.err)
    p = city.as_counsel("request", "package", rid, "--out", str(tmp_path / "p.json"))
    print(p.out, p.err, (tmp_path/"p.json").read_text())
    p = city.as_counsel("request", "package", rid, "--out", str(tmp_path / "p.pdf"))
    print(p.out, p.err)
    n = city.as_counsel("request", "notices", rid, "--text")
    print(n.out, n.err)
    s = city.as_counsel("request", "show", rid)
    print(s.out, s.err)
    t = city.cli("--json", "--data-dir", str(city.data_dir), "report", "transparency")
    print(t.out, t.err)
    t = city.cli("--data-dir", str(city.data_dir), "report", "transparency", "--format", "csv")
    print(t.out, t.err)
    assert 0
