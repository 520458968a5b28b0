import sys; sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent))
exec(open(__import__("pathlib").Path(__file__).resolve().parent / "r9_split.py").read().split("# label before")[0])
res = [triage.decide(c["text"], r, CFG) for c, r in zip(cases, rankings)]
def ctx(rx, t):
    m = rx.search(t); return t[max(0, m.start()-40): m.end()+40].replace("\n", " ") if m else None
for c, r, x in zip(cases, rankings, res):
    top = r[0][0] if r else None
    ap = sum(cf for n, cf in r if n == "acute_danger")
    other = cues.is_acute(c["text"]) or top == "acute_danger" or ap >= CFG["acute_threshold"]
    if x["acute"] and not other:
        tag = "TRUE " if c.get("acute") else "FALSE"
        print(tag, "| NOW:", ctx(cues.NOW, c["text"]), "| ACT:", ctx(cues._PRESENT_ACT, c["text"]))
