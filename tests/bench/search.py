"""Search at help-center scale: our Whoosh index against an SQLite FTS5 (bm25) baseline.

One run, one generated corpus (BENCH_ARTICLES articles, 10,000 by default): real Markdown
files with YAML front matter, loaded with `load_library`, indexed with `build_index`, then
one-article updates with `update_index` and search latency over a few hundred distinct
queries (a quarter of them with a typo). The same articles, updates and queries go through an
FTS5 table for comparison.
"""

import json
import os
import random
import re
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.analysis import STOP_WORDS

from app.content import load_library
from app.content.library import load_article
from app.content.plaintext import article_text
from app.search import SearchEngine, build_index, update_index
from app.search.indexer import current_generation
from app.search.query import Synonyms
from tests.bench.common import percentile, print_table

ARTICLES = int(os.environ.get("BENCH_ARTICLES", "10000"))
QUERIES = 300
WARMUP = 20
UPDATES = 5
NOTHING_FOUND = 100  # searches that find nothing, of each kind
TYPO_SHARE = 0.25
SEED = 20260515

# -- vocabulary --------------------------------------------------------------------------------
# Hand-written word lists. Nouns also get a plural, verbs their -s/-ed/-ing forms, so the
# vocabulary has a few thousand words and the stemmer has real work to do.


def _words(text: str) -> list[str]:
    return text.split()


FUNCTION_WORDS = _words(
    """
the a to and of you your we our it is in for on can be this that with or if are will an
from as at by not have when they their them there here which what who how all any
some each every more most also just only up out after before within once while until
because do does has i my me so than then these those its into about over may should
would could no yes please still even again usually often sometimes other same both
"""
)

DOMAIN_NOUNS = _words(
    """
order parcel package delivery shipment courier carrier tracking address postcode label
return refund exchange credit voucher coupon discount promo code payment card invoice
receipt checkout basket cart account password email login profile newsletter subscription
size fit measurement waist chest hip inseam sleeve length width fabric cotton linen wool
cashmere silk denim leather suede polyester viscose nylon elastane lining seam zipper
button stitch hem collar pocket hood strap buckle sole heel toe lace boot sneaker sandal
shoe jacket coat shirt blouse dress skirt trousers jeans shorts sweater jumper cardigan
hoodie scarf hat glove sock belt bag backpack wallet towel sheet pillow duvet blanket
cushion curtain rug mug candle warehouse dispatch customs duty tax fee charge price
balance bank transfer instalment bill statement chargeback dispute fraud security
verification privacy data cookie consent preference notification message chat agent
support team store shop branch locker pickup collection signature neighbour doorstep
weekend holiday deadline window policy warranty guarantee defect damage fault stain tear
shrinkage wash laundry detergent iron steam dryer bleach stock item product colour pattern
style range catalogue wishlist app browser device phone tablet password reset link
confirmation gift wrapping box envelope sticker barcode reference number status update
estimate carrier route depot van driver slot timeslot region country currency euro pound
dollar amount total subtotal postage handling surcharge threshold minimum limit loyalty
points reward member membership tier birthday offer sale clearance outlet preorder
backorder restock alert availability inventory supplier brand label care instruction
symbol temperature cycle hanger drawer wardrobe storage moth pilling fading shrink
knit weave thread yarn fibre blend ribbing trim embroidery print dye wrinkle crease
outsole insole midsole arch width calf ankle toecap eyelet tongue laces padding
jumpsuit vest tshirt polo tunic kimono gown suit blazer waistcoat tie bra boxers
pyjamas nightwear swimsuit bikini leggings joggers tracksuit fleece parka raincoat poncho cap
beanie mitten slipper loafer trainer clog mule wedge espadrille handbag clutch tote purse
satchel pouch keyring sunglasses jewellery necklace bracelet earring watch bedding mattress
quilt throw napkin tablecloth apron tray vase lamp plate bowl cutlery coaster doormat hamper
consignment pallet freight tariff declaration broker importer levy excise helpline hotline
ticket complaint escalation compensation goodwill apology survey rating star
"""
)

DOMAIN_VERBS = _words(
    """
ship deliver track return refund exchange cancel change update pay charge verify confirm
reset register subscribe unsubscribe redeem apply enter select measure wash dry iron steam
fold store repair replace contact request print attach scan collect pick arrive dispatch
pack wrap check save remove delete download upload edit reorder restock notify claim
report review rate combine split process approve decline reject authorise refund
reschedule redirect hold release inspect weigh label seal tape sign log browse filter
sort compare recommend tailor alter hem stretch soak rinse tumble hang press spray brush
polish condition protect waterproof
"""
)

DOMAIN_ADJECTIVES = _words(
    """
express standard tracked signed international domestic damaged faulty missing late
delayed lost wrong declined pending expired invalid secure refundable final partial full
original unworn unwashed tagged loose tight snug relaxed slim regular petite tall stretchy
breathable waterproof gentle delicate cold warm hot organic recycled sustainable next
same free paid contactless digital physical available unavailable personalised seasonal
limited exclusive oversized cropped lined padded quilted washable durable soft heavy light
"""
)

GENERIC_NOUNS = _words(
    """
time day week month year hour minute moment way thing people person customer friend family
home house place world area part side end start point case problem question answer reason
example information detail step option choice result change issue way form field page
screen button menu section list table note letter word name title line group system
service process method rule idea plan offer choice fact kind type sort level rate cost
value quality quantity difference change experience feedback comment request response
reply call conversation meeting appointment visit journey trip travel city town street
road building office room floor door window wall table chair desk light paper pen book
story news report record history future past present morning evening night afternoon
season spring summer autumn winter weather rain snow sun wind water air fire ground tree
flower garden park river sea beach mountain island country nation state government law
court police market company business industry job work career skill training course class
lesson school student teacher child parent baby adult age health body mind heart hand
foot eye face hair voice sound music song film picture photo image video camera computer
software program file folder document version copy original sample test trial mistake
error warning alert signal sign sight view sense feeling memory attention interest
ability access action activity addition advice agreement aim analysis animal
apartment application approach argument arm article artist aspect assistance atmosphere attempt
audience author authority average award background base basis beauty bed behaviour benefit bit
board boat bottle bottom brain bread breakfast bridge brother budget campaign capital car cat
category centre century chain challenge chance chapter character charity chicken circle citizen
club coast coffee colleague college column combination comfort committee community comparison
competition concept concern condition confidence connection consequence contact context contract
contribution control corner council counter couple cousin crowd culture cup curve danger
daughter deal debate decision degree delay demand department deposit design desire destination
diet dinner direction director discussion distance distribution doctor dog dream drink edge
education effect effort element emergency employee employer energy engine engineer entrance
environment equipment event evidence exercise exhibition expense expert explanation extent
factor failure fashion fear feature figure finance finger fish flat flight focus food force
forest frame freedom fruit fuel fun function fund furniture game gap garage gate girl glass
goal gold grade grass guest guide habit hall heat height hill hole hope horse hospital host
hotel husband impact income independence individual influence injury instance institution
instrument insurance intention internet investment invitation judge juice key kid kitchen knee
knife knowledge lady lake land language layer leader leg library licence life lift loan
location lock lunch machine magazine manager manner map match material matter meal meaning
meat media medicine metal midnight milk mirror mission mixture mode model money mood motor
mouth movement movie muscle museum nail neck network noise nose novel nurse object occasion
ocean opinion opportunity organisation outcome owner pain painting pair panel parking partner
party passenger path patient peace pension percentage performance period permission
personality phase piano piece pipe planet plant plastic platform player pleasure poem
population portion position post potato power practice presence president pressure pride
principle priority prize procedure profession profit progress project promise proof property
proposal protection purpose quarter radio ratio reaction reader reality recipe recommendation
relation relationship rent representative reputation research resident resource respect
responsibility rest restaurant revenue risk rock role roof root round routine row salad salary
salt sand sauce scale scene schedule science score script sector selection sentence series
session setting shape shelf shelter shift shock shoulder shower silence silver sister site
situation skin sky sleep smile society soil solution son source space speaker speech speed
sport square staff stage star station steel stomach stone strategy strength stress structure
subject success sugar suggestion supply surface surprise sympathy talent target task taste
teaching technology television tension term text theme theory thought threat tip tone tool
tooth topic touch tour tower trade tradition traffic transport truck trust truth unit
university user vacation variety vehicle venue village vision volume wage wave wealth website
wedding weight wife wine wing winner witness woman wood worker writer youth zone
"""
)

GENERIC_VERBS = _words(
    """
need want help ask tell show give take make keep find look seem feel try leave call
follow start stop open close turn move live believe bring happen write provide stand lose
add spend grow learn offer remember love consider appear wait serve expect build stay
fall cut reach kill raise pass sell decide explain hope develop carry break receive agree
support hit produce eat cover catch draw choose cause point listen walk talk watch answer
plan share finish visit mention explore prepare describe include continue allow lead
understand happen create accept reduce improve increase discover prefer prevent protect
enjoy imagine manage notice suggest mark miss own pull push realise recognise
achieve act adapt adjust admire admit adopt advise afford amend announce
apologise appreciate argue arrange assess assign assist assume assure attend attract avoid bake
behave belong bend block boil borrow bother bounce breathe burn calculate calm chase cheer chop
clap climb coach cook copy count crash cross cure dance decorate defend delay demand deny depend
deserve destroy detect differ disagree disappear discuss dislike divide doubt drag drain dress
drop earn employ empty encourage escape examine excuse exist expand export extend fail fasten
fetch fill fix flash float flood flow force form frighten gather glow grab greet guard guess
guide handle harm hate heat hug hunt hurry identify ignore impress inform insist install
instruct intend introduce invent invite jog join joke jump kick knit knock land last laugh
launch lift like limit link list load lock marry match matter melt mix nod obey observe obtain
occur operate organise paint park pause perform permit persuade phone place plant play please
plug post pour practise praise pretend promise punch purchase qualify question queue race reach
record recover reflect refuse regret rely remain remind repeat reply require rescue resist
respond rest retire reveal roll rub ruin rule rush sail satisfy scare scratch scream search
settle shade shake shape share shop shrug sigh sink skip slip smash smell smile snap solve spare
spell spill spoil spot stamp stare steer step stir stitch suffer suit supply suppose surprise
suspect switch talk taste test thank tick tire touch tour trace trade train trap travel treat
trick trip trouble trust twist type unlock unpack use vanish wander warn waste wave welcome
whisper wink wipe wish wonder work worry yawn zip zoom
"""
)

GENERIC_ADJECTIVES = _words(
    """
good new first last long great little own other old right big high different small large
early young important few public bad able sure clear easy hard simple quick slow fast
short wide deep strong weak happy sad busy quiet loud clean dirty dark bright fresh
modern classic common rare usual normal special general specific certain possible likely
ready safe correct similar single double whole main major minor real true basic extra
helpful useful careful simple total recent current previous following latest nearby local
national global private personal official formal casual comfortable practical popular
actual afraid angry annual anxious automatic aware awful beautiful
brief broad broken calm capable cheap chief civil complete complex confident constant cool
crazy critical curious cute dangerous dead dear decent digital direct due eager eastern
efficient electric elegant empty entire equal essential even exact excellent existing expensive
expert fair familiar famous fancy fantastic financial fine flat foreign former
friendly funny glad grand guilty handsome healthy honest huge ideal ill immediate independent
initial inner innocent internal kind known lazy legal level live lonely lovely lucky mad
massive mental middle mild military mobile moral narrow natural neat negative nervous nice
obvious odd online open opposite ordinary other outer outside overall pale perfect plain
pleasant polite poor positive powerful pretty primary proper proud pure quiet rapid raw
reasonable relevant remote rich rough round royal rural scared secret senior sensible serious
severe sharp sick significant silly smart smooth social solid sorry spare square stable steady
strange strict stupid successful sudden suitable super sweet tiny tough traditional typical
unable unhappy unique unusual upper upset urban used valuable various visible vital weird wet
wild wise wonderful wooden worried yellow
"""
)

ADVERBS = _words(
    """
quickly easily usually simply directly carefully gently slightly fully already always never
instead together today tomorrow soon later rather quite almost exactly probably perhaps
"""
)

CATEGORIES = {
    "orders-shipping": "order parcel delivery shipment courier tracking address dispatch "
    "express tracked late delayed locker pickup postage driver depot",
    "returns-refunds": "return refund exchange credit label unworn tagged original "
    "warehouse inspect partial final refundable deadline policy",
    "payments": "payment card invoice instalment bank transfer charge declined pending "
    "balance currency chargeback fraud secure authorise receipt",
    "account-privacy": "account password email login profile newsletter privacy data "
    "cookie consent preference verification security delete download",
    "sizing-care": "size fit measurement waist chest fabric cotton wool wash iron steam "
    "shrinkage stretchy snug loose care symbol temperature",
    "troubleshooting": "promo code coupon voucher error checkout basket app browser device "
    "reset link expired invalid missing wrong problem",
    "gift-cards-offers": "gift voucher card balance redeem offer sale discount loyalty "
    "points reward member birthday exclusive limited",
    "stores-services": "store shop branch collection pickup appointment alteration "
    "tailor repair hem personalised embroidery wrapping local",
}

SYNONYM_GROUPS = [
    ["refund", "money back"],
    ["parcel", "package"],
    ["delivery", "shipping"],
    ["sign in", "log in", "login"],
    ["sweater", "jumper"],
    ["voucher", "coupon", "promo code"],
]


def _plural(word: str) -> str:
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in "aeiou":
        return word[:-1] + "ies"
    return word + "s"


def _doubles(word: str) -> bool:
    """One-syllable consonant-vowel-consonant verbs double the last letter (ship -> shipping)."""
    vowels = "aeiou"
    return (
        sum(c in vowels for c in word) == 1
        and word[-1] not in vowels + "wxy"
        and word[-2] in vowels
        and word[-3] not in vowels
    )


def _verb_forms(word: str) -> list[str]:
    if word.endswith("ee"):
        past, ing = word + "d", word + "ing"
    elif word.endswith("ie"):
        past, ing = word + "d", word[:-2] + "ying"
    elif word.endswith("e"):
        past, ing = word + "d", word[:-1] + "ing"
    elif word.endswith("y") and word[-2] not in "aeiou":
        past, ing = word[:-1] + "ied", word + "ing"
    elif _doubles(word):
        past, ing = word + word[-1] + "ed", word + word[-1] + "ing"
    else:
        past, ing = word + "ed", word + "ing"
    return [_plural(word), past, ing]


@dataclass
class Vocabulary:
    words: list[str]  # most frequent first
    cum_weights: list[float]
    content: set[str]  # words a customer might search for
    domain: list[str]


def make_vocabulary(rng: random.Random) -> Vocabulary:
    """Function words at the top, then content words in a shuffled order that favours shop
    words and base forms; Zipf-Mandelbrot weights over the ranks."""
    function = list(dict.fromkeys(FUNCTION_WORDS))
    scored: dict[str, float] = {}

    def add(word: str, factor: float) -> None:
        if word not in function:
            scored[word] = min(scored.get(word, 1e9), rng.random() * factor)

    domain = list(dict.fromkeys(DOMAIN_NOUNS + DOMAIN_VERBS + DOMAIN_ADJECTIVES))
    for nouns, factor in ((DOMAIN_NOUNS, 0.5), (GENERIC_NOUNS, 1.0)):
        for word in nouns:
            add(word, factor)
            add(_plural(word), factor * 1.8)
    for verbs, factor in ((DOMAIN_VERBS, 0.5), (GENERIC_VERBS, 1.0)):
        for word in verbs:
            add(word, factor)
            for form in _verb_forms(word):
                add(form, factor * 2.2)
    for adjectives, factor in ((DOMAIN_ADJECTIVES, 0.6), (GENERIC_ADJECTIVES, 1.0)):
        for word in adjectives:
            add(word, factor)
    for word in ADVERBS:
        add(word, 1.2)
    ranked = function + sorted(scored, key=lambda w: (scored[w], w))
    cumulative, total = [], 0.0
    for rank in range(len(ranked)):
        total += 1.0 / (rank + 2.7) ** 1.05
        cumulative.append(total)
    content = set(scored) - set(STOP_WORDS)
    return Vocabulary(ranked, cumulative, content, domain)


# -- corpus ------------------------------------------------------------------------------------


@dataclass
class GeneratedArticle:
    file: Path
    focus: list[str]  # title and topic words: what a customer looking for it would type
    sample: list[str]  # a few other words from its body


@dataclass
class Corpus:
    root: Path
    vocabulary: Vocabulary
    articles: list[GeneratedArticle] = field(default_factory=list)
    document_frequency: Counter = field(default_factory=Counter)
    words: int = 0


def _sentence(words: list[str], rng: random.Random) -> str:
    words = [words[0][0].upper() + words[0][1:], *words[1:]]
    return " ".join(f"**{w}**" if rng.random() < 0.01 else w for w in words) + "."


def _title_case(words: list[str]) -> str:
    text = " ".join(words)
    return text[0].upper() + text[1:]


def _body(words: list[str], rng: random.Random, tutorial: bool) -> str:
    """Paragraphs of sentences, an occasional list, a `##` heading every ~100 words."""
    blocks: list[str] = []
    position, next_heading = 0, rng.randint(80, 120)
    while position < len(words):
        if position >= next_heading:
            size = rng.randint(2, 5)
            heading = words[position : position + size]
            blocks.append("## " + _title_case(heading))
            position += size
            next_heading = position + rng.randint(80, 120)
            continue
        sentences = []
        for _ in range(rng.randint(2, 5)):
            size = rng.randint(6, 18)
            chunk = words[position : position + size]
            position += size
            if chunk:
                sentences.append(chunk)
        if rng.random() < 0.12 and len(sentences) > 2:
            marker = "1." if tutorial else "-"
            blocks.append("\n".join(f"{marker} {_sentence(s, rng)}" for s in sentences))
        else:
            blocks.append(" ".join(_sentence(s, rng) for s in sentences))
    return "\n\n".join(blocks) + "\n"


def generate_corpus(root: Path, count: int, seed: int) -> Corpus:
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    corpus = Corpus(root, vocabulary)
    topics = {slug: words.split() for slug, words in CATEGORIES.items()}
    (root / "categories.yml").write_text(
        "".join(
            f"- slug: {slug}\n  title: {_title_case(slug.split('-'))}\n" for slug in CATEGORIES
        ),
        encoding="utf-8",
    )
    for slug in CATEGORIES:
        (root / slug).mkdir()
    start_date = date(2024, 1, 1)
    slugs = list(CATEGORIES)
    for number in range(count):
        slug = slugs[number % len(slugs)]
        topic = topics[slug]
        focus = list(
            dict.fromkeys(
                rng.sample(topic, 2) + rng.sample(vocabulary.domain, 2) + [rng.choice(topic)]
            )
        )
        tutorial = rng.random() < 0.4
        length = rng.randint(200, 800)
        words = rng.choices(vocabulary.words, cum_weights=vocabulary.cum_weights, k=length)
        for i in rng.sample(range(length), length // 16):
            words[i] = rng.choice(focus)
        for i in rng.sample(range(length), length // 14):
            words[i] = rng.choice(topic)

        size = rng.randint(4, 8)
        opener = (
            ["how", "to"]
            if tutorial
            else rng.choice([["why", "is", "my"], ["can", "i"], ["what", "if"], []])
        )
        filler = rng.choices(vocabulary.words, cum_weights=vocabulary.cum_weights, k=size)
        rest = list(dict.fromkeys(focus[:2] + filler))[: size - len(opener)]
        rng.shuffle(rest)
        title_words = opener + rest
        title = _title_case(title_words)
        summary_words = rng.choices(
            vocabulary.words, cum_weights=vocabulary.cum_weights, k=rng.randint(10, 20)
        )
        summary_words[rng.randrange(len(summary_words))] = focus[0]
        tags = list(dict.fromkeys(rng.sample(focus, min(len(focus), rng.randint(2, 4)))))
        updated = start_date + timedelta(days=rng.randint(0, 900))
        front = {
            "title": title,
            "summary": _sentence(summary_words, rng).replace("**", ""),
            "type": "tutorial" if tutorial else "faq",
            "tags": tags,
            "updated": updated.isoformat(),
        }
        # JSON scalars are YAML too, and quoting keeps "yes"/"no"/"on" from becoming booleans.
        meta = "".join(f"{key}: {json.dumps(value)}\n" for key, value in front.items())
        file = root / slug / f"{'-'.join(title_words[:6])}-{number}.md"
        file.write_text(f"---\n{meta}---\n{_body(words, rng, tutorial)}", encoding="utf-8")

        seen = set(words) | set(title_words) | set(summary_words)
        corpus.document_frequency.update(seen & vocabulary.content)
        corpus.words += length
        body_content = sorted(set(words) & vocabulary.content - set(focus))
        corpus.articles.append(
            GeneratedArticle(
                file=file,
                focus=[w for w in dict.fromkeys(title_words + focus) if w in vocabulary.content],
                sample=rng.sample(body_content, min(20, len(body_content))),
            )
        )
    return corpus


# -- queries -----------------------------------------------------------------------------------


def misspell(word: str, rng: random.Random) -> str:
    """One deletion, substitution or adjacent transposition (a different word, always)."""
    while True:
        kind = rng.choice(("delete", "substitute", "transpose"))
        i = rng.randrange(len(word) - 1) if kind == "transpose" else rng.randrange(len(word))
        if kind == "delete":
            typo = word[:i] + word[i + 1 :]
        elif kind == "substitute":
            typo = word[:i] + rng.choice(string.ascii_lowercase) + word[i + 1 :]
        else:
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if typo != word:
            return typo


@dataclass(frozen=True)
class Query:
    text: str
    typo: bool


def make_queries(corpus: Corpus, count: int, seed: int) -> list[Query]:
    """Distinct 2-4 word queries: most about one article (its title and topic words, some of
    its body), the rest words drawn by how many articles use them; a quarter with a typo."""
    rng = random.Random(seed)
    occurring = sorted(corpus.document_frequency)
    weights = [corpus.document_frequency[w] ** 0.5 for w in occurring]
    seen: set[str] = set()
    queries: list[Query] = []
    while len(queries) < count:
        size = rng.randint(2, 4)
        picked: list[str] = []
        article = rng.choice(corpus.articles) if rng.random() < 0.6 else None
        for _ in range(size * 10):
            if len(picked) == size:
                break
            if article is None:
                word = rng.choices(occurring, weights)[0]
            else:
                pool = article.focus if rng.random() < 0.6 or not article.sample else article.sample
                word = rng.choice(pool)
            if word not in picked:
                picked.append(word)
        if len(picked) < 2:
            continue
        typo = rng.random() < TYPO_SHARE
        if typo:
            long_words = [i for i, w in enumerate(picked) if len(w) >= 5]
            if not long_words:
                continue
            i = rng.choice(long_words)
            picked[i] = misspell(picked[i], rng)
        text = " ".join(picked)
        if text not in seen:
            seen.add(text)
            queries.append(Query(text, typo))
    return queries


def nothing_found(
    engine: SearchEngine, corpus: Corpus, count: int, seed: int
) -> tuple[list[str], list[str]]:
    """Two kinds of one-word search that find nothing: a content word with an ending no
    article uses and the stemmer keeps ("tracker", "stockist"), which has near words; and a
    made-up word, which has none."""
    rng = random.Random(seed)
    content = sorted(w for w in corpus.vocabulary.domain if len(w) >= 5)  # base forms
    rng.shuffle(content)
    derived: list[str] = []
    for word, ending in ((w, e) for w in content for e in ("er", "ist", "ery")):
        if len(derived) == count:
            break
        text = word + ending
        if text not in derived and not engine.search(text).total:
            derived.append(text)
    made_up: list[str] = []
    while len(made_up) < count:
        text = "".join(rng.choices(string.ascii_lowercase, k=rng.randint(7, 10)))
        if text not in made_up and not engine.search(text).total:
            made_up.append(text)
    return derived, made_up


def nothing_found_ms(
    engine: SearchEngine, texts: list[str]
) -> tuple[list[float], list[float], int]:
    """What a search page that finds nothing asks the engine: the search, then what is near
    it. The milliseconds of both and of the second alone, and how many were offered near
    articles."""
    both, near_only, offered = [], [], 0
    for text in texts:
        start = time.perf_counter()
        engine.search(text, per_page=10)
        searched = time.perf_counter()
        near = engine.nearby(text)
        done = time.perf_counter()
        both.append((done - start) * 1000)
        near_only.append((done - searched) * 1000)
        offered += bool(near and near.hits)
    return both, near_only, offered


# -- the two engines ---------------------------------------------------------------------------


def _touch(file: Path, number: int) -> None:
    """Change one article's body on disk (a new closing sentence)."""
    text = file.read_text(encoding="utf-8")
    file.write_text(text + f"\nEdited for the benchmark, revision {number}.\n", encoding="utf-8")


FTS_SEARCH = (
    "SELECT rowid, bm25(t, 10.0, 2.0, 3.0, 1.0) AS score, "
    "snippet(t, 3, '<mark>', '</mark>', '…', 20) FROM t WHERE t MATCH ? ORDER BY score LIMIT 10"
)
WORD = re.compile(r"\w+")


class Fts5:
    def __init__(self, file: Path):
        self.connection = sqlite3.connect(file)
        self.rowids: dict[str, int] = {}
        self.outcomes: Counter = Counter()

    def build(self, library) -> None:
        """The same words our index gets: each article's plain text."""
        db = self.connection
        db.execute(
            "CREATE VIRTUAL TABLE t USING fts5(title, summary, tags, body, "
            "tokenize='porter unicode61')"
        )
        rows = []
        for rowid, article in enumerate(library.articles.values(), start=1):
            self.rowids[article.path] = rowid
            tags = " ; ".join(article.tags)
            text = article_text(article)
            rows.append((rowid, article.title, article.summary, tags, text))
        db.executemany("INSERT INTO t(rowid, title, summary, tags, body) VALUES (?,?,?,?,?)", rows)
        db.commit()

    def update(self, library, article) -> None:
        text = article_text(article)
        self.connection.execute(
            "UPDATE t SET body = ? WHERE rowid = ?", (text, self.rowids[article.path])
        )
        self.connection.commit()

    def search(self, text: str) -> list[tuple]:
        terms = ['"' + w.replace('"', '""') + '"' for w in WORD.findall(text.lower())]
        rows = self.connection.execute(FTS_SEARCH, (" ".join(terms),)).fetchall()
        outcome = "all words"
        if not rows and len(terms) > 1:
            rows = self.connection.execute(FTS_SEARCH, (" OR ".join(terms),)).fetchall()
            outcome = "no article has every word"
        self.outcomes[outcome if rows else "no results"] += 1
        return rows


class CommandLine:
    """`flask content index` in a new process on the benchmark's folders."""

    def __init__(self, tmp_path: Path, content: Path, index_dir: Path):
        self.env = {
            **os.environ,
            "FLASK_APP": "app",
            "FRONTDESK_ENV": "development",
            "CONTENT_DIR": str(content),
            "INDEX_DIR": str(index_dir),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        }
        # A user's Python keeps compiled modules; this workplace's shell may say not to.
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.run("--help")  # compiles them once, as the first command a user runs does

    def run(self, *options: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "flask", "content", "index", *options],
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout


def median_s(samples_ms: list[float]) -> float:
    return statistics.median(samples_ms) / 1000


def _latencies(search, queries: list[Query], warmup: list[Query], outcomes: Counter) -> list[float]:
    for query in warmup:
        search(query.text)
    outcomes.clear()  # count what the measured queries matched, not the warm-up
    samples = []
    for query in queries:
        start = time.perf_counter()
        search(query.text)
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def _seconds(action) -> tuple[float, object]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


# -- the benchmark -----------------------------------------------------------------------------


def _segments(index_dir: Path) -> int:
    generation = current_generation(index_dir)
    assert generation is not None
    with whoosh_index.open_dir(str(generation)).searcher() as searcher:
        reader = searcher.reader()
        return len(getattr(reader, "readers", None) or [reader])


def run() -> None:
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        tmp_path = Path(tmp)
        content, index_dir = tmp_path / "content", tmp_path / "index"
        content.mkdir()

        generate_s, corpus = _seconds(lambda: generate_corpus(content, ARTICLES, SEED))
        load_s, library = _seconds(lambda: load_library(content))
        assert len(library.articles) == ARTICLES, (len(library.articles), library.problems[:3])
        assert not library.problems, library.problems[:3]
        print(
            f"\nSearch corpus: {len(library.articles):,} articles in {len(CATEGORIES)} "
            f"categories, {corpus.words:,} body words (mean {corpus.words / ARTICLES:.0f}), "
            f"vocabulary {len(corpus.vocabulary.words):,} words "
            f"({len(corpus.document_frequency):,} searchable ones in use)"
        )
        print(
            f"  generated in {generate_s:.1f} s; load_library (front matter and hashes; bodies "
            f"render when first read) {load_s:.1f} s = {load_s / ARTICLES * 1000:.2f} ms/article"
        )

        # Full builds.
        build_s, report = _seconds(lambda: build_index(library, index_dir))
        assert len(report.added) == ARTICLES
        fts = Fts5(tmp_path / "fts.sqlite3")
        fts_build_s, _ = _seconds(lambda: fts.build(library))

        # Search latency over the same distinct queries, on the freshly built indexes.
        queries = make_queries(corpus, QUERIES + WARMUP, SEED + 2)
        warmup, measured = queries[:WARMUP], queries[WARMUP:]
        engine = SearchEngine(index_dir, library, Synonyms.from_groups(SYNONYM_GROUPS))
        outcomes: Counter = Counter()

        def ours(text: str) -> None:
            results = engine.search(text)
            if not results.total:
                outcomes["no results"] += 1
            else:
                outcomes["no article has every word" if results.partial else "all words"] += 1

        built_segments = _segments(index_dir)
        ours_ms = _latencies(ours, measured, warmup, outcomes)
        ours_outcomes = outcomes.copy()
        # Chosen on another engine, so that each search below is new to the one measured.
        chooser = SearchEngine(index_dir, library, Synonyms.from_groups(SYNONYM_GROUPS))
        derived, made_up = nothing_found(chooser, corpus, NOTHING_FOUND, SEED + 4)
        chooser.close()
        nothing_rows = []
        for label, texts in (
            ("a word with an ending no article uses", derived),
            ("a made-up word", made_up),
        ):
            both, near, offered = nothing_found_ms(engine, texts)
            nothing_rows.append(
                [
                    label,
                    statistics.median(both),
                    percentile(both, 95),
                    statistics.median(near),
                    percentile(near, 95),
                    len(texts),
                    offered,
                ]
            )
        fts_ms = _latencies(fts.search, measured, warmup, fts.outcomes)

        # One changed article at a time: edit the file, reload it, apply the change. Reloading
        # just that file (what a content reload of one edit costs) keeps five updates cheap at
        # 10,000 articles; a full load_library costs what the first load above did.
        rng = random.Random(SEED + 1)
        reload_ms, update_ms, fts_update_ms = [], [], []
        for number, generated in enumerate(rng.sample(corpus.articles, UPDATES), start=1):
            _touch(generated.file, number)
            seconds, (article, _, _) = _seconds(
                lambda f=generated.file: load_article(
                    library.bodies, f.relative_to(content).as_posix(), library.categories
                )
            )
            reload_ms.append(seconds * 1000)
            library.articles[article.path] = article
            seconds, report = _seconds(lambda: update_index(library, index_dir))
            assert not report.full and report.changed == [article.path], str(report)
            assert not report.added and not report.deleted, str(report)
            update_ms.append(seconds * 1000)
            seconds, _ = _seconds(lambda a=article: fts.update(library, a))
            fts_update_ms.append(seconds * 1000)

        # The same queries again on the updated index (the engine picks the change up).
        updated_segments = _segments(index_dir)
        updated_ms = _latencies(ours, measured, warmup, Counter())
        fts.connection.close()
        engine.close()

        # As an editor runs it: one edited article, then `flask content index --changed`.
        command = CommandLine(tmp_path, content, index_dir)
        command_ms = []
        for number, generated in enumerate(rng.sample(corpus.articles, UPDATES), start=1):
            _touch(generated.file, UPDATES + number)
            seconds, output = _seconds(lambda: command.run("--changed"))
            assert "0 added, 1 changed, 0 deleted" in output, output
            command_ms.append(seconds * 1000)
        unchanged_s, _ = _seconds(lambda: command.run("--changed"))
        command_build_s, output = _seconds(command.run)
        assert f"full build: {ARTICLES} articles" in output, output

    typo = [q.typo for q in measured]
    print_table(
        f"Search at {ARTICLES:,} articles ({len(measured)} distinct queries, "
        f"{sum(typo)} with one typo)",
        ["engine", "build s", "one-article update ms", "search p50 ms", "search p95 ms"],
        [
            [
                "whoosh (ours)",
                build_s,
                statistics.median(update_ms),
                statistics.median(ours_ms),
                percentile(ours_ms, 95),
            ],
            [
                f"whoosh (ours), after the {UPDATES} updates",
                "-",
                "-",
                statistics.median(updated_ms),
                percentile(updated_ms, 95),
            ],
            [
                "sqlite fts5 bm25",
                fts_build_s,
                statistics.median(fts_update_ms),
                statistics.median(fts_ms),
                percentile(fts_ms, 95),
            ],
        ],
    )
    fts_p95 = percentile(fts_ms, 95)
    print(
        f"  ratio ours/fts5 at p95: {percentile(ours_ms, 95) / fts_p95:.2f}x "
        f"({percentile(updated_ms, 95) / fts_p95:.2f}x after the updates)"
    )
    print(
        f"  whoosh segments: {built_segments} after the full build, {updated_segments} after "
        f"{UPDATES} one-article updates; updates are medians of {UPDATES}"
    )
    print(
        f"  content reload of the changed article (load_article, not counted above): "
        f"median {statistics.median(reload_ms):.1f} ms"
    )
    print_table(
        "From the command line, wall clock (a new process each time, as an editor runs it)",
        ["command", "median s", "runs"],
        [
            ["flask content index --changed, one article edited", median_s(command_ms), UPDATES],
            ["flask content index --changed, nothing edited", unchanged_s, 1],
            ["flask content index (full build)", command_build_s, 1],
        ],
    )
    print(
        "  targets at 10,000 articles: search p95 <= 10 ms and <= 2x FTS5; one-article "
        "update <= 1 s from the command line; full build <= 20 s"
    )

    by_kind = []
    for name, samples in (
        ("whoosh (ours)", ours_ms),
        ("whoosh (ours), after the updates", updated_ms),
        ("sqlite fts5 bm25", fts_ms),
    ):
        for label, wanted in (("no typo", False), ("one typo", True)):
            chosen = [s for s, t in zip(samples, typo, strict=True) if t == wanted]
            by_kind.append(
                [f"{name}, {label}", statistics.median(chosen), percentile(chosen, 95), len(chosen)]
            )
    print_table("Search latency by query kind (ms)", ["queries", "p50", "p95", "n"], by_kind)
    print_table(
        "Searches that find nothing: the search, then the articles near it (ms)",
        ["one-word search", "p50", "p95", "near p50", "near p95", "n", "offered near articles"],
        nothing_rows,
    )
    kinds = ("all words", "no article has every word", "no results")
    print(
        "  queries matching, ours: "
        + ", ".join(f"{k} {ours_outcomes[k]}" for k in kinds)
        + "; fts5: "
        + ", ".join(f"{k} {fts.outcomes[k]}" for k in kinds)
    )
