#!/usr/bin/env python
"""Record shapes / params / layer counts / names of every keras.applications
constructor (weights=None) and derive per-constructor rules.

Usage:
  python generate.py              # run missing workers (2 parallel), then derive
  python generate.py --force      # re-run all workers
  python generate.py --only A,B   # restrict to these constructors
  python generate.py --derive     # only re-derive raw.json/table.json from raw/*.json
  python generate.py --worker NAME   # (internal) record one constructor -> raw/NAME.json

Each constructor is recorded in its own fresh Python process, with
keras.backend.clear_session() before every build.
"""
import json, math, os, subprocess, sys, time, inspect

HERE = os.path.dirname(os.path.abspath(__file__))
RAW_DIR = os.path.join(HERE, "raw")
SIZES = [32, 75, 96, 128, 160, 192, 224, 256, 299, 331]
NONSQUARE = (160, 224)
MAX_PARALLEL = 2
POPULAR = ["MobileNetV2", "MobileNet", "MobileNetV3Small", "MobileNetV3Large",
           "ResNet50", "ResNet101", "ResNet152", "ResNet50V2", "VGG16", "VGG19",
           "InceptionV3", "Xception", "DenseNet121", "DenseNet169", "DenseNet201",
           "EfficientNetB0", "EfficientNetB1", "EfficientNetB2", "EfficientNetB3",
           "EfficientNetV2B0", "ConvNeXtTiny", "InceptionResNetV2", "NASNetMobile"]
BIG = ["NASNetLarge", "EfficientNetB7", "ConvNeXtXLarge", "RegNetY320",
       "EfficientNetV2L", "EfficientNetB6", "ConvNeXtLarge"]


# ----------------------------------------------------------------------------
# worker
# ----------------------------------------------------------------------------
def worker(cname):
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import numpy as np
    import keras
    fn = getattr(keras.applications, cname)

    def shp(s):
        return [None if d is None else int(d) for d in s]

    def lparams(l):
        return int(sum(int(np.prod(w.shape)) for w in l.weights))

    def build(**kw):
        keras.backend.clear_session()
        t = time.time()
        try:
            m = fn(weights=None, **kw)
        except Exception as e:  # noqa
            return {"kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
                    "error": f"{type(e).__name__}: {e}"[:800]}
        tr = int(sum(int(np.prod(w.shape)) for w in m.trainable_weights))
        nt = int(sum(int(np.prod(w.shape)) for w in m.non_trainable_weights))
        L = m.layers
        rec = {
            "kwargs": {k: (list(v) if isinstance(v, tuple) else v) for k, v in kw.items()},
            "name": m.name,
            "layers": len(L),
            "inputShape": shp(m.inputs[0].shape),
            "outputShape": shp(m.outputs[0].shape),
            "params": int(m.count_params()),
            "trainable": tr,
            "nonTrainable": nt,
            "firstLayer": {"class": type(L[0]).__name__, "name": L[0].name},
            "tail": [{"name": l.name, "class": type(l).__name__, "params": lparams(l),
                      "outputShape": shp(l.output.shape)} for l in L[-8:]],
            "buildSeconds": round(time.time() - t, 2),
        }
        rec["_model"] = m
        return rec

    def strip(r):
        r = dict(r)
        r.pop("_model", None)
        return r

    out = {"constructor": cname, "keras": keras.__version__}
    sig = inspect.signature(fn)
    out["signature"] = {k: (repr(p.default) if p.default is not inspect._empty else None)
                        for k, p in sig.parameters.items()}

    # 1. defaults
    r = build(include_top=True)
    out["top_default"] = strip(r)
    dflt = r["inputShape"][1] if "error" not in r else 224
    out["top_classes5"] = strip(build(include_top=True, classes=5))
    alt = 192 if dflt != 192 else 224
    out["top_alt"] = strip(build(include_top=True, input_shape=(alt, alt, 3)))
    out["top_alt_classes5"] = strip(build(include_top=True, classes=5, input_shape=(alt, alt, 3)))

    # notop with no input_shape (dynamic spatial dims)
    r = build(include_top=False)
    if "error" not in r:
        m = r["_model"]
        dyn = {}
        for H in (75, 224, 299):
            try:
                dyn[str(H)] = shp(m.compute_output_shape((1, H, H, 3)))
            except Exception as e:  # noqa
                dyn[str(H)] = f"{type(e).__name__}: {e}"[:300]
        r["dynamicComputeOutputShape"] = dyn
    out["notop_noinput"] = strip(r)

    # 2. notop sizes
    notop = {}
    for H in SIZES:
        notop[str(H)] = strip(build(include_top=False, input_shape=(H, H, 3)))
    ok = sorted(int(h) for h, v in notop.items() if "error" not in v)
    # exact minimum: smallest accepted size m such that m-1 is rejected
    probes_min = {}
    if ok:
        lo_ok = ok[0]
        bad_below = [int(h) for h, v in notop.items() if "error" in v and int(h) < lo_ok]
        lo_bad = max(bad_below) if bad_below else None
        if lo_bad is None:
            # try just below the smallest accepted size, then go down if accepted
            cand = lo_ok - 1
            while cand >= 1:
                r = strip(build(include_top=False, input_shape=(cand, cand, 3)))
                probes_min[str(cand)] = r
                if "error" in r:
                    lo_bad = cand
                    break
                lo_ok = cand
                cand = max(1, cand // 2) if cand > 1 else 0
        # binary search between lo_bad and lo_ok
        while lo_bad is not None and lo_ok - lo_bad > 1:
            mid = (lo_ok + lo_bad) // 2
            r = strip(build(include_top=False, input_shape=(mid, mid, 3)))
            probes_min[str(mid)] = r
            if "error" in r:
                lo_bad = mid
            else:
                lo_ok = mid
        out["minInput"] = lo_ok
    out["notop"] = notop
    out["notop_minprobes"] = probes_min

    # pooling at default size
    out["pooling"] = {p: strip(build(include_top=False, pooling=p, input_shape=(dflt, dflt, 3)))
                      for p in ("avg", "max")}
    # 3. non-square
    out["notop_nonsquare"] = strip(build(include_top=False, input_shape=(NONSQUARE[0], NONSQUARE[1], 3)))
    out["top_nonsquare"] = strip(build(include_top=True, input_shape=(NONSQUARE[0], NONSQUARE[1], 3)))
    # include_preprocessing flag (ConvNeXt / EfficientNetV2 / MobileNetV3)
    if "include_preprocessing" in sig.parameters:
        out["notop_noPreprocessing"] = strip(build(include_top=False, include_preprocessing=False,
                                                   input_shape=(dflt, dflt, 3)))

    # spatial rule probing: out = floor((x + A) / S)
    pts = {}
    allrecs = dict(notop)
    allrecs.update(probes_min)
    for h, v in allrecs.items():
        if "error" not in v:
            pts[int(h)] = v["outputShape"][1]
    ns = out["notop_nonsquare"]
    if "error" not in ns:
        pts[NONSQUARE[0]] = ns["outputShape"][1]
        pts[NONSQUARE[1]] = ns["outputShape"][2]
    minx = out.get("minInput", 32)
    extra = {}

    def cands():
        res = []
        for S in (2, 4, 8, 16, 32, 64):
            for A in range(-8 * S, 8 * S + 1):
                if all((x + A) // S == y for x, y in pts.items()):
                    res.append((S, A))
        return res

    xs = list(range(minx, 1025))
    for _ in range(12):
        cs = cands()
        if len(cs) <= 1:
            break
        # canonicalise: candidates equivalent over [minx, 1024]
        preds = {c: tuple((x + c[1]) // c[0] for x in xs) for c in cs}
        if len(set(preds.values())) <= 1:
            break
        best, bestscore = None, None
        for i, x in enumerate(xs):
            groups = {}
            for c in cs:
                groups.setdefault(preds[c][i], 0)
                groups[preds[c][i]] += 1
            score = max(groups.values())
            if bestscore is None or score < bestscore or (score == bestscore and x < best):
                best, bestscore = x, score
        r = strip(build(include_top=False, input_shape=(best, best, 3)))
        extra[str(best)] = r
        if "error" in r:
            break
        pts[best] = r["outputShape"][1]
    out["notop_probes"] = extra
    out["spatialPoints"] = {str(k): v for k, v in sorted(pts.items())}
    with open(os.path.join(RAW_DIR, cname + ".json"), "w") as f:
        json.dump(out, f, indent=1)


# ----------------------------------------------------------------------------
# derivation
# ----------------------------------------------------------------------------
import re
AUTO_RE = re.compile(r"^(input_layer|activation|layer_normalization|flatten|dropout|global_average_pooling2d|"
                     r"global_max_pooling2d|add|multiply|rescaling|normalization|conv2d|dense)(_\d+)?$")


def fmt_rule(S, A):
    if A == S - 1:
        return f"ceil(x/{S})"
    if A == 0:
        return f"floor(x/{S})"
    if A < 0:
        # floor((x+A)/S) == floor((x - k)/S) + 1 with k = S - A ... prefer the (x-k)/S+1 form
        k = -A + S  # floor((x+A)/S) = floor((x-k)/S)+1
        return f"floor((x-{k})/{S})+1"
    return f"floor((x+{A})/{S})"


def derive_one(d):
    cname = d["constructor"]
    notes = []
    td, t5 = d["top_default"], d["top_classes5"]
    e = {"constructor": cname}
    if "error" in td:
        e["error"] = td["error"]
        return e
    e["defaultInput"] = td["inputShape"][1:]
    e["inputLayerName"] = td["firstLayer"]["name"]
    e["firstLayerClass"] = td["firstLayer"]["class"]
    e["signatureDefaults"] = d["signature"]

    # ---------------- notop ----------------
    okrecs = {int(h): v for h, v in d["notop"].items() if "error" not in v}
    for src in ("notop_minprobes", "notop_probes"):
        for h, v in d.get(src, {}).items():
            if "error" not in v:
                okrecs[int(h)] = v
    rej = {int(h): v["error"] for h, v in d["notop"].items() if "error" in v}
    for src in ("notop_minprobes", "notop_probes"):
        for h, v in d.get(src, {}).items():
            if "error" in v:
                rej[int(h)] = v["error"]
    n = {}
    P = {(v["params"], v["trainable"], v["nonTrainable"]) for v in okrecs.values()}
    if len(P) == 1:
        p = P.pop()
        n["params"], n["trainable"], n["nonTrainable"] = p
        n["paramsSizeIndependent"] = True
    else:
        n["paramsSizeIndependent"] = False
        n["paramsBySize"] = {str(h): [v["params"], v["trainable"], v["nonTrainable"]] for h, v in sorted(okrecs.items())}
        notes.append("notop params depend on input size")
    Ls = {v["layers"] for v in okrecs.values()}
    if len(Ls) == 1:
        n["layers"] = Ls.pop()
    else:
        n["layersBySize"] = {str(h): v["layers"] for h, v in sorted(okrecs.items())}
        notes.append("notop layer count depends on input size")
    chans = {v["outputShape"][-1] for v in okrecs.values()}
    n["channels"] = chans.pop() if len(chans) == 1 else sorted(chans)
    # spatial rule
    pts = {int(k): v for k, v in d["spatialPoints"].items()}
    fits = []
    for S in (2, 4, 8, 16, 32, 64):
        for A in range(-8 * S, 8 * S + 1):
            if all((x + A) // S == y for x, y in pts.items()):
                fits.append((S, A))
    mn = d.get("minInput")
    n["minInput"] = mn
    if fits:
        xs = range(mn or 32, 1025)
        classes_ = {}
        for S, A in fits:
            classes_.setdefault(tuple((x + A) // S for x in xs), []).append((S, A))
        if len(classes_) > 1:
            notes.append(f"spatial rule not uniquely determined: {len(classes_)} candidate classes")
        S, A = list(classes_.values())[0][0]
        n["spatialRule"] = fmt_rule(S, A)
        n["spatialFormula"] = {"form": "floor((x + A) / S)", "S": S, "A": A}
        n["spatialRuleUnique"] = len(classes_) == 1
        n["spatialRuleCheckedAt"] = sorted(pts)
        bad = [x for x, y in pts.items() if (x + A) // S != y]
        n["spatialRuleMismatches"] = bad
    else:
        n["spatialRule"] = None
        n["spatialPointsTable"] = {str(k): v for k, v in sorted(pts.items())}
        notes.append("no floor((x+A)/S) formula fits")
    # names
    names = {h: v["name"] for h, v in okrecs.items()}
    if len(set(names.values())) == 1:
        n["nameRule"] = next(iter(names.values()))
    else:
        tmpl = {v.replace(f"_{h}", "_{H}") for h, v in names.items()}
        n["nameRule"] = tmpl.pop() if len(tmpl) == 1 else sorted(tmpl)
    nsq = d["notop_nonsquare"]
    n["nonSquare"] = {"input": list(NONSQUARE), **({"error": nsq["error"]} if "error" in nsq else
                      {"outputShape": nsq["outputShape"], "name": nsq["name"],
                       "matchesRulePerAxis": bool(fits) and nsq["outputShape"][1:3] == [
                           (NONSQUARE[0] + A) // S, (NONSQUARE[1] + A) // S]})}
    any_ok = okrecs[max(okrecs)]
    n["lastLayers"] = [t["name"] for t in any_ok["tail"][-2:]]
    n["lastLayerClasses"] = [t["class"] for t in any_ok["tail"][-2:]]
    n["inputLayerName"] = any_ok["firstLayer"]["name"]
    n["autoNamedLastLayers"] = [x for x in n["lastLayers"] if AUTO_RE.match(x)]
    n["rejected"] = {str(h): rej[h] for h in sorted(rej)}
    nn = d["notop_noinput"]
    n["noInputShape"] = ({"error": nn["error"]} if "error" in nn else
                         {"inputShape": nn["inputShape"], "outputShape": nn["outputShape"], "name": nn["name"],
                          "layers": nn["layers"], "params": nn["params"],
                          "computeOutputShape": nn.get("dynamicComputeOutputShape")})
    if "error" not in nn and fits:
        dyn = nn.get("dynamicComputeOutputShape") or {}
        n["noInputShape"]["computeOutputShapeMatchesRule"] = {
            h: (isinstance(v, list) and v[1] == (int(h) + A) // S) for h, v in dyn.items()}
        if not all(n["noInputShape"]["computeOutputShapeMatchesRule"].values()):
            notes.append("model built with input_shape=None, when traced at a concrete odd size, gives a different "
                         "spatial size than a model built with that input_shape (size-dependent ZeroPadding)")
    if "notop_noPreprocessing" in d:
        npp = d["notop_noPreprocessing"]
        if "error" not in npp:
            ref = okrecs.get(e["defaultInput"][0]) or any_ok
            n["includePreprocessingFalse"] = {"layers": npp["layers"], "params": npp["params"],
                                              "layersRemoved": ref["layers"] - npp["layers"],
                                              "paramsRemoved": ref["params"] - npp["params"]}
    e["notop"] = n

    # ---------------- pooling ----------------
    pool = {}
    # reference notop build at the default size (224 when the default input is dynamic, e.g. MobileNetV3)
    refsize = e["defaultInput"][0] or 224
    e["referenceSize"] = refsize
    ref = okrecs.get(refsize)
    if ref is None and n.get("paramsSizeIndependent") and "layers" in n:
        ref = okrecs.get(224) or okrecs[max(okrecs)]  # layers/params are size independent
    for p, v in d["pooling"].items():
        if "error" in v:
            pool[p] = {"error": v["error"]}
            continue
        pool[p] = {"outputShape": v["outputShape"], "layers": v["layers"],
                   "layersAdded": (v["layers"] - ref["layers"]) if ref else None,
                   "paramsAdded": (v["params"] - ref["params"]) if ref else None,
                   "lastLayers": [t["name"] for t in v["tail"][-2:]],
                   "lastLayerClasses": [t["class"] for t in v["tail"][-2:]]}
    e["pooling"] = pool
    added = {v.get("layersAdded") for v in pool.values()}
    e["poolingLayersAdded"] = added.pop() if len(added) == 1 else sorted(added)

    # ---------------- top ----------------
    t = {"name": td["name"], "layers": td["layers"], "params": td["params"], "trainable": td["trainable"],
         "nonTrainable": td["nonTrainable"], "outputShape": td["outputShape"]}
    per = (td["params"] - t5["params"]) / 995
    t["topParamsPerClass"] = int(per) if per == int(per) else per
    t["paramsAtZeroClasses"] = td["params"] - int(per) * 1000
    t["trainableAtZeroClasses"] = td["trainable"] - int(per) * 1000
    t["classes5"] = {k: t5[k] for k in ("params", "trainable", "nonTrainable", "layers", "name", "outputShape")}
    # the classifier bias
    last_param_layers = [l for l in td["tail"] if l["params"] > 0]
    if last_param_layers:
        cl = last_param_layers[-1]
        t["classifierLayer"] = {"name": cl["name"], "class": cl["class"], "params": cl["params"]}
        t["topBias"] = True
        t["topParamsFormula"] = f"({int(per) - 1}+1)*classes"
    # head = top - notop at the default size
    if ref:
        t["headParamsAtZeroClasses"] = t["paramsAtZeroClasses"] - ref["params"]
        t["headLayersAdded"] = td["layers"] - ref["layers"]
        refnames = [x["name"] for x in ref["tail"]]
        t["headLayers"] = [{k: l[k] for k in ("name", "class", "params")} for l in td["tail"]
                           if l["name"] not in refnames]
        t["layersBeforeHead"] = ref["layers"]
        t["paramsFormula"] = (f"notop.params + ({t['headParamsAtZeroClasses']}) + {int(per)}*classes"
                              if n.get("paramsSizeIndependent") else None)
    t["lastLayers"] = [x["name"] for x in td["tail"][-2:]]
    ta, ta5 = d["top_alt"], d["top_alt_classes5"]
    tn = d["top_nonsquare"]
    if "error" in ta:
        t["altSize"] = {"error": ta["error"]}
    else:
        H = ta["inputShape"][1]
        pz = ta["params"] - int(per) * 1000
        t["altSize"] = {"input": ta["inputShape"][1:], "name": ta["name"], "layers": ta["layers"],
                        "params": ta["params"], "paramsAtZeroClasses": pz,
                        "perClass": (ta["params"] - ta5["params"]) / 995 if "error" not in ta5 else None,
                        "outputShape": ta["outputShape"]}
        t["paramsDependOnInputSize"] = pz != t["paramsAtZeroClasses"]
        if t["paramsDependOnInputSize"]:
            notes.append("include_top=True params depend on input size (Flatten-based head)")
            # Flatten -> Dense(F) -> Dense(F) -> Dense(classes): verify closed form
            dens = [l for l in td["tail"] if l["class"] == "Dense"]
            if len(dens) == 3 and ref:
                F = dens[0]["params"] // (ref["outputShape"][1] * ref["outputShape"][2] * n["channels"] + 1)
                def head_fixed(sh, sw):
                    return (sh * sw * n["channels"] + 1) * F + (F + 1) * F
                chk = []
                for rec, tt in ((ref, td), (okrecs.get(H), ta)):
                    if rec:
                        sh, sw = rec["outputShape"][1:3]
                        chk.append(tt["params"] - int(per) * 1000 - rec["params"] == head_fixed(sh, sw))
                if "error" not in tn and "error" not in nsq:
                    sh, sw = nsq["outputShape"][1:3]
                    chk.append(tn["params"] - int(per) * 1000 - nsq["params"] == head_fixed(sh, sw))
                t["paramsFormula"] = (f"notop.params + (outH*outW*{n['channels']}+1)*{F} + ({F}+1)*{F} "
                                      f"+ ({F}+1)*classes   [outH/outW = notop spatial rule]")
                t["flattenHead"] = {"fcUnits": F, "formulaVerified": all(chk), "checks": len(chk)}
        t["nameRule"] = td["name"] if ta["name"] == td["name"] else \
            td["name"].replace(f"_{e['defaultInput'][0]}", "_{H}")
    tn = d["top_nonsquare"]
    t["nonSquare"] = {"error": tn["error"]} if "error" in tn else {
        "outputShape": tn["outputShape"], "name": tn["name"], "params": tn["params"], "layers": tn["layers"]}
    e["top"] = t
    if len({e["inputLayerName"], n["inputLayerName"]}) != 1 or e["inputLayerName"] != "input_layer":
        notes.append(f"input layer name {e['inputLayerName']}/{n['inputLayerName']}")
    e["notes"] = notes
    return e


def derive():
    raws = {}
    for f in sorted(os.listdir(RAW_DIR)):
        if f.endswith(".json"):
            with open(os.path.join(RAW_DIR, f)) as fh:
                d = json.load(fh)
            raws[d["constructor"]] = d
    with open(os.path.join(HERE, "raw.json"), "w") as f:
        json.dump(raws, f, indent=1)
    table = {}
    for k, d in raws.items():
        try:
            table[k] = derive_one(d)
        except Exception as ex:  # noqa
            table[k] = {"deriveError": f"{type(ex).__name__}: {ex}"}
    with open(os.path.join(HERE, "table.json"), "w") as f:
        json.dump(table, f, indent=1)
    return table


# ----------------------------------------------------------------------------
def list_constructors():
    code = ("import os;os.environ['TF_CPP_MIN_LOG_LEVEL']='3';import keras,json;A=keras.applications;"
            "print(json.dumps(sorted(n for n in dir(A) if n[:1].isupper() and callable(getattr(A,n)))))")
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main():
    args = sys.argv[1:]
    if args[:1] == ["--worker"]:
        worker(args[1])
        return
    os.makedirs(RAW_DIR, exist_ok=True)
    if "--derive" not in args:
        names = list_constructors()
        if "--only" in args:
            only = args[args.index("--only") + 1].split(",")
            names = [x for x in names if x in only]
        order = [x for x in POPULAR if x in names] + \
                [x for x in names if x not in POPULAR and x not in BIG] + \
                [x for x in BIG if x in names]
        if "--force" not in args:
            order = [x for x in order if not os.path.exists(os.path.join(RAW_DIR, x + ".json"))]
        print("to run:", order, flush=True)
        running = []
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", OMP_NUM_THREADS="1",
                   TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
        queue = list(order)
        while queue or running:
            while queue and len(running) < MAX_PARALLEL:
                c = queue.pop(0)
                log = open(os.path.join(RAW_DIR, c + ".log"), "w")
                p = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker", c],
                                     stdout=log, stderr=subprocess.STDOUT, env=env)
                running.append((c, p, time.time()))
            time.sleep(0.5)
            for item in list(running):
                c, p, t0 = item
                if p.poll() is not None:
                    print(f"{c}: rc={p.returncode} {time.time() - t0:.0f}s", flush=True)
                    running.remove(item)
    table = derive()
    print("derived", len(table), "entries")


if __name__ == "__main__":
    main()
