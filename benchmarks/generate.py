"""Corpora of any size for the benchmarks: invented releases, and the dev corpus varied per copy.

    .venv/bin/python benchmarks/generate.py 10000 -o /tmp/c10k.jsonl [--kind mixed|synthetic|dev] [--join 4]

Writes a JSON Lines corpus (one release a line, as `kg ingest` reads it).

* `synthetic` releases are written from templates in this file: a force of
  the gazetteer, one of its units, a codename, a date and a place, officers
  with ranks and quotes, partner agencies, arrests, seizures and an arrest
  breakdown, all drawn from seeded random choices, so every size is the
  same corpus on every machine. `--join` stories make one release (five
  make about 7.5 KB, the size the scale targets are stated for).
* `dev` joins `--join` releases of ../shared/corpus/dev at a time under a
  new identifier, with their codenames and the names of their officers
  (read from the gold annotations) replaced per copy, so the store grows
  with new entities instead of repeating the same ones.
* `mixed` (the default) alternates the two when ../shared is present and
  falls back to `synthetic` when it is not.

The texts are only for measuring; nothing here is committed as data.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg import lexicon  # noqa: E402

DEV = ROOT.parent / "shared" / "corpus" / "dev"

FIRST = ("Amelia Aaron Bethan Callum Dana Eamon Fiona Gareth Hollie Imran Jasmine Kieran Laura Marcus Niamh "
         "Owen Priya Rhys Sophie Tariq Una Victor Wendy Yusuf Zara Alistair Bronwen Colin Deborah Elliot "
         "Farah Graham Hannah Idris Joanna Kwame Leanne Mohammed Nadia Oliver").split()
LAST = ("Ashworth Bexley Carrick Dunmore Ellison Fairbairn Garside Hartley Ingram Jessop Kershaw Lomax "
        "Marsden Nuttall Oakley Pickering Quigley Rowntree Shackleton Thwaite Underwood Varley Whitaker "
        "Yardley Abbott Brennan Calloway Dervish Eastwood Fenwick Gilchrist Holroyd Iqbal Jowett Kaur "
        "Lindqvist Mahmood Nolan Okafor Pemberton").split()
CODEWORDS = ("Amberline Basalt Cobalt Driftwood Ember Falconry Granite Heathland Ironside Juniper Kestrel "
             "Lanternfish Meridian Nightjar Orchard Pennant Quarry Redwing Saltmarsh Thistle Upland Vantage "
             "Willowherb Yellowhammer Zephyr Alder Bramble Cinder Dunlin Estuary Fernhill Gorse Harrier "
             "Inkwell Jetty Kingfisher Larch Moorland Nettle Osprey Pebble Quill Rowan Sandpiper Tern "
             "Umber Vireo Wren Yarrow").split()
UNITS = ("Serious Organised Crime Unit", "County Lines Team", "Roads Policing Unit", "Economic Crime Unit",
         "Rural Crime Team", "Major Crime Investigation Team", "Neighbourhood Policing Team",
         "Proactive Crime Team", "Drugs Intelligence Unit", "Modern Slavery Team")
PARTNERS = ("National Crime Agency", "Border Force", "HM Revenue and Customs", "Crown Prosecution Service",
            "Driver and Vehicle Standards Agency", "Environment Agency", "Gangmasters and Labour Abuse Authority",
            "Crimestoppers", "British Transport Police")
PLACES = ("Ashbourne", "Bramley", "Castleford", "Dunstable", "Ellesmere", "Frodsham", "Glossop", "Hexham",
          "Ilkley", "Kendal", "Ludlow", "Malton", "Newark", "Oakham", "Penrith", "Ripon", "Selby", "Thirsk")
RANKS = ("Detective Inspector", "Detective Chief Inspector", "Superintendent", "Chief Inspector", "Inspector",
         "Detective Superintendent", "Sergeant", "Assistant Chief Constable")
OFFENCES = ("possession with intent to supply Class A drugs", "money laundering", "burglary",
            "possession of an offensive weapon", "conspiracy to supply Class B drugs", "handling stolen goods")
MONTHS = ("January February March April May June July August September October November December").split()


def _date(rng: random.Random) -> dt.date:
    return dt.date(2018, 1, 1) + dt.timedelta(days=rng.randrange(7 * 365))


def _person(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def story(rng: random.Random, force, codeword: str, day: dt.date) -> str:
    """One invented report: an operation of one force, its results, two quotes and a breakdown."""
    unit = rng.choice(UNITS)
    place = rng.choice(PLACES)
    partners = rng.sample(PARTNERS, 2)
    arrests = rng.randrange(3, 60)
    parts = sorted(rng.sample(range(1, arrests), 2)) if arrests > 3 else [1, 2]
    lines = [parts[0], parts[1] - parts[0], arrests - parts[1]]
    officer, rank = _person(rng), rng.choice(RANKS)
    second = _person(rng)
    cash = rng.randrange(2, 400) * 250
    when = f"{day.day} {MONTHS[day.month - 1]} {day.year}"
    return "\n\n".join([
        f"Officers from {force.name}'s {unit} arrested {arrests} people in {place} during Operation {codeword}, "
        f"a week of action that began on {when}.",
        f"The operation was supported by {partners[0]} and {partners[1]}. Officers executed "
        f"{rng.randrange(2, 20)} warrants and seized £{cash:,} in cash, {rng.randrange(1, 9)} kilograms of "
        f"cannabis and {rng.randrange(1, 6)} knives.",
        "Of those arrested:\n" + "\n".join(
            f"{n} were arrested on suspicion of {offence}" for n, offence in zip(lines, rng.sample(OFFENCES, 3))),
        f"{rank} {officer}, of the {unit}, said: \"Operation {codeword} shows what we can do when we work "
        f"with our partners. We will keep targeting the people who bring harm to {place}.\"",
        f"{second}, from {partners[0]}, said: \"Working alongside {force.name} means that criminals "
        f"have nowhere to hide.\"",
        f"The {unit} was set up to tackle the gangs that move drugs and weapons between towns across the "
        f"{force.places[0] if force.places else force.name} area. Since it began, officers have visited "
        f"{rng.randrange(20, 400)} addresses, safeguarded {rng.randrange(2, 40)} vulnerable people and closed "
        f"{rng.randrange(2, 30)} drug lines, working with schools, housing providers and local councils.",
        f"Police and Crime Commissioner {_person(rng)} said: \"I welcome the results of Operation {codeword}. "
        f"Residents of {place} told us that drug dealing was their first concern, and this is the answer.\"",
        f"Anyone with information is asked to contact {force.name} on 101 or Crimestoppers anonymously.",
    ])


def synthetic(n: int, join: int, seed: int):
    forces = [f for f in lexicon.forces().values() if f.kind == "territorial"]
    for i in range(n):
        rng = random.Random(f"{seed}:{i}")
        force = rng.choice(forces)
        day = _date(rng)
        codewords = [rng.choice(CODEWORDS) + (rng.choice(CODEWORDS) if rng.random() < 0.5 else "")
                     for _ in range(join)]
        text = "\n\n".join(story(rng, force, codewords[j], day + dt.timedelta(days=j)) for j in range(join))
        yield {"id": f"synthetic-{seed}-{i:07d}", "date": day.isoformat(), "publisher": force.name, "text": text}


def _dev_releases():
    out = []
    for path in sorted((DEV / "docs").glob("*.txt")):
        gold = DEV / "gold" / f"{path.stem}.json"
        people = [p["name"] for p in json.loads(gold.read_text())["people"]] if gold.exists() else []
        raw = path.read_text(encoding="utf-8")
        date = None
        m = re.match(r"\s*date (\d{4}-\d{2}-\d{2}) ", raw)
        if m:
            date, raw = m.group(1), raw[m.end():]
        out.append((path.stem, date, raw, people))
    return out


def dev(n: int, join: int, seed: int):
    releases = _dev_releases()
    operation = re.compile(r"\b(Operation|Op|Project) ([A-Z][a-z]+)\b")
    for i in range(n):
        rng = random.Random(f"dev:{seed}:{i}")
        picked = [releases[(i * join + j) % len(releases)] for j in range(join)]
        codes: dict[str, str] = {}

        def recode(m: re.Match) -> str:
            if m.group(2) not in codes:
                codes[m.group(2)] = rng.choice(CODEWORDS) + rng.choice(CODEWORDS).lower()
            return f"{m.group(1)} {codes[m.group(2)]}"

        texts = []
        for _stem, _date, text, people in picked:
            for name in people:
                parts = name.split()
                new = _person(rng).split()
                text = text.replace(name, " ".join(new))
                if len(parts) > 1:
                    text = re.sub(rf"\b{re.escape(parts[-1])}\b", new[-1], text)
            texts.append(operation.sub(recode, text))
        yield {"id": f"dev-{seed}-{i:07d}", "date": picked[0][1], "text": "\n\n".join(texts)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("count", type=int, help="how many releases to write")
    ap.add_argument("-o", "--output", type=Path, required=True, help="the .jsonl file to write")
    ap.add_argument("--kind", choices=("mixed", "synthetic", "dev"), default="mixed")
    ap.add_argument("--join", type=int, default=None,
                    help="stories (default 5) or dev releases (default 4) joined into one release: about 7.5 KB")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    kind = args.kind
    if kind in ("mixed", "dev") and not (DEV / "docs").is_dir():
        if kind == "dev":
            sys.exit(f"no dev corpus at {DEV}")
        kind = "synthetic"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as out:
        if kind == "mixed":
            half = args.count // 2
            sources = [synthetic(args.count - half, args.join or 5, args.seed), dev(half, args.join or 4, args.seed)]
            for i in range(args.count):
                record = next(sources[i % 2], None) or next(sources[(i + 1) % 2])
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            make, join = (synthetic, 5) if kind == "synthetic" else (dev, 4)
            for record in make(args.count, args.join or join, args.seed):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
    size = args.output.stat().st_size
    print(f"{args.count} {kind} releases, {size / args.count / 1024:.1f} KB each, in {args.output}")


if __name__ == "__main__":
    main()
