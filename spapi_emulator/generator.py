"""Deterministic Orders API v2026-01-01 order data for the emulator.

The emulator must serve orders that look and change like real Amazon orders and whose money
adds up to the cent, so the addon's import can be tested against every case it will meet:
marketplaces and currencies, VAT-inclusive and tax-exclusive pricing (with US
marketplace-facilitator tax), promotions, gift wrap, Prime/Business/Premium, Business buyers'
VAT registrations, FBA and FBM, every fulfillment status, packages, replacement orders and
addresses in many scripts.

Everything is drawn from one seeded ``random.Random`` (the VAT registrations from small ones
seeded by the order and the company, see :func:`_buyer_tax`); no global random state and no
real clock, so the same arguments always give byte-identical JSON. How the amounts add up is
written down in ``docs/money-model.md`` and expressed in code by :func:`check_order_adds_up`.
"""

import csv
import hashlib
import math
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

MODELS_DIR = Path(__file__).resolve().parent / "models"

# --------------------------------------------------------------------------------------------
# Marketplaces and money


def _load_marketplaces():
    with open(MODELS_DIR / "marketplaces.csv", newline="", encoding="utf-8") as handle:
        return {row["marketplace_id"]: row for row in csv.DictReader(handle)}


MARKETPLACES = _load_marketplaces()
"""marketplace_id -> row of marketplaces.csv (country_code, domain, region, currency...)."""
MARKETPLACES_BY_COUNTRY = {row["country_code"]: row for row in MARKETPLACES.values()}

DEFAULT_MARKETPLACE_IDS = (
    "ATVPDKIKX0DER",  # US
    "A1PA6795UKMFR9",  # DE
    "A1F83G8C2ARO7P",  # GB
    "A1VC38T7YXB528",  # JP
    "A13V1IB3VIYZZH",  # FR
    "APJ6JRA9NG5V4",  # IT
    "A1RKKUPIHCS9HS",  # ES
    "A2EUQ1WTGCTBG2",  # CA
    "A2VIGQ35RCS4UG",  # AE
)
# How often each country's marketplace gets an order (others default to 5).
_MARKETPLACE_WEIGHTS = {
    "US": 30,
    "DE": 15,
    "GB": 12,
    "JP": 10,
    "FR": 8,
    "IT": 7,
    "ES": 7,
    "CA": 6,
    "AE": 5,
}

DEFAULT_NOW = datetime(2026, 3, 2, 12, 0, 0, tzinfo=UTC)
"""Fixed reference time used when no ``now`` is given, so output never depends on the clock."""

ZERO_DECIMAL_CURRENCIES = frozenset({"JPY"})

# Marketplaces whose prices are tax-exclusive: sales tax is added at checkout.
TAX_EXCLUSIVE_COUNTRIES = frozenset({"US", "CA"})
# Standard VAT/GST/consumption-tax rates of the VAT-inclusive marketplaces; used for the
# net price and TAX breakdown of Business-price items (see docs/money-model.md).
VAT_RATES = {
    "DE": "0.19",
    "FR": "0.20",
    "IT": "0.22",
    "ES": "0.21",
    "GB": "0.20",
    "JP": "0.10",
    "AE": "0.05",
    "IE": "0.23",
    "BE": "0.21",
    "NL": "0.21",
    "SE": "0.25",
    "PL": "0.23",
    "TR": "0.20",
    "SA": "0.15",
    "EG": "0.14",
    "IN": "0.18",
    "SG": "0.09",
    "AU": "0.10",
    "ZA": "0.15",
    "MX": "0.16",
    "BR": "0.17",
}
US_FACILITATOR = "Amazon Services, Inc."  # the only ResponsibleParty value in ordersV0.json

MONEY_STATUSES = frozenset({"UNSHIPPED", "PARTIALLY_SHIPPED", "SHIPPED"})
"""Statuses in which an Amazon-channel order carries prices, proceeds and gift/promotion data."""

ITEM_BREAKDOWN_TYPES = ("ITEM", "SHIPPING", "GIFT_WRAP", "COD_FEE", "OTHER", "DISCOUNT", "TAX")
ORDER_ONLY_BREAKDOWN_TYPES = ("DELIVERY_TIP",)


def currency_quantum(currency: str) -> Decimal:
    """Smallest unit of the currency as Amazon formats it (1 for JPY, 0.01 otherwise)."""
    return Decimal(1) if currency in ZERO_DECIMAL_CURRENCIES else Decimal("0.01")


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's decimals; the one rounding rule of the generator."""
    value = Decimal(amount).quantize(currency_quantum(currency), rounding=ROUND_HALF_UP)
    return value + 0  # turns -0.00 into 0.00


def money(amount: Decimal, currency: str) -> dict:
    """A model ``Money``: ``amount`` is the model's ``Decimal`` type, i.e. a JSON string."""
    return {"amount": str(round_money(amount, currency)), "currencyCode": currency}


def money_value(value: dict) -> Decimal:
    return Decimal(value["amount"])


# --------------------------------------------------------------------------------------------
# Product catalogue: ~60 stable products, so the same SKUs recur across orders and sellers.

_COLOURS = {
    "BLK": ("Black", "ブラック"),
    "WHT": ("White", "ホワイト"),
    "SGE": ("Sage", "セージ"),
    "NVY": ("Navy", "ネイビー"),
    "PRP": ("Purple", "パープル"),
    "TEA": ("Teal", "ティール"),
    "GRY": ("Grey", "グレー"),
    "BLU": ("Blue", "ブルー"),
    "SLV": ("Silver", "シルバー"),
    "OLV": ("Olive", "オリーブ"),
    "RED": ("Red", "レッド"),
}


def _colours(*codes):
    return tuple((code, *_COLOURS[code]) for code in codes)


def _labels(*labels):
    return tuple((label.upper().replace(" ", ""), label, label) for label in labels)


_ONE = (("", "", ""),)
_FAMILIES = (
    (
        "WB750",
        "24.99",
        "Stainless Steel Water Bottle 750 ml",
        "ステンレス製ウォーターボトル 750ml",
        _colours("BLK", "WHT", "SGE", "NVY"),
    ),
    ("CUTB3", "34.99", "Bamboo Cutting Board Set, 3 Pieces", "竹製まな板 3枚セット", _ONE),
    (
        "USBC2M",
        "12.99",
        "USB-C Charging Cable 2 m",
        "USB-C 充電ケーブル 2m",
        _colours("BLK", "WHT"),
    ),
    (
        "EARPRO",
        "79.99",
        "Wireless Earbuds Pro with Charging Case",
        "ワイヤレスイヤホン Pro",
        _colours("BLK", "WHT"),
    ),
    (
        "YOGA6",
        "29.99",
        "Yoga Mat 6 mm, Non-Slip",
        "ヨガマット 6mm 滑り止め",
        _colours("PRP", "TEA", "GRY"),
    ),
    ("SKIL26", "39.99", "Cast Iron Skillet 26 cm", "鋳鉄スキレット 26cm", _ONE),
    (
        "LAMPLED",
        "45.99",
        "LED Desk Lamp with Dimmer",
        "LEDデスクライト 調光機能付き",
        _colours("BLK", "WHT"),
    ),
    (
        "MUG4",
        "27.99",
        "Ceramic Coffee Mugs 350 ml, Set of 4",
        "陶器マグカップ 350ml 4個セット",
        _colours("WHT", "BLU"),
    ),
    ("ESP15", "249.99", "Espresso Machine 15 bar", "エスプレッソマシン 15気圧", _colours("SLV")),
    (
        "SOCKMW",
        "19.99",
        "Merino Wool Hiking Socks",
        "メリノウール 登山用ソックス",
        _labels("S", "M", "L"),
    ),
    (
        "HDPHNC",
        "199.99",
        "Noise Cancelling Over-Ear Headphones",
        "ノイズキャンセリングヘッドホン",
        _colours("BLK", "SLV"),
    ),
    (
        "BAKEMAT",
        "14.99",
        "Silicone Baking Mats, 2 Pieces",
        "シリコン製ベーキングマット 2枚組",
        _ONE,
    ),
    (
        "KEYBRN",
        "89.99",
        "Mechanical Keyboard, Brown Switches",
        "メカニカルキーボード 茶軸",
        _labels("US", "DE", "UK", "JP"),
    ),
    ("PUZZW", "21.99", "Kids' Wooden Puzzle Set", "子供用 木製パズルセット", _ONE),
    ("KETL17", "49.99", "Electric Kettle 1.7 L", "電気ケトル 1.7L", _colours("BLK", "WHT")),
    ("DOGTOY", "11.99", "Durable Dog Chew Toy", "丈夫な犬用おもちゃ", _labels("M", "L")),
    ("BPK40", "89.99", "Travel Backpack 40 L", "トラベルバックパック 40L", _colours("BLK", "OLV")),
    ("KNIFE20", "59.99", "Chef's Knife 20 cm", "牛刀包丁 20cm", _ONE),
    (
        "CANDLE",
        "16.99",
        "Soy Wax Scented Candle",
        "ソイワックス アロマキャンドル",
        _labels("Lavender", "Vanilla", "Cedar"),
    ),
    ("PLUG4", "29.99", "Smart Plug, 4-Pack", "スマートプラグ 4個パック", _ONE),
    (
        "PWR20K",
        "39.99",
        "Portable Power Bank 20000 mAh",
        "モバイルバッテリー 20000mAh",
        _colours("BLK", "WHT"),
    ),
    (
        "RUNSH",
        "119.99",
        "Lightweight Running Shoes",
        "軽量ランニングシューズ",
        _labels("40", "42", "44", "46"),
    ),
    ("TEASMP", "18.99", "Loose Leaf Tea Sampler, 12 Varieties", "リーフティー 12種アソート", _ONE),
    (
        "PANNS",
        "32.99",
        "Non-Stick Frying Pan",
        "ノンスティック フライパン",
        _labels("24 cm", "28 cm"),
    ),
    ("UMBR", "22.99", "Compact Travel Umbrella", "コンパクト折りたたみ傘", _colours("BLK", "RED")),
    (
        "NOTEA5",
        "9.99",
        "A5 Hardcover Notebook",
        "A5 ハードカバーノート",
        _labels("Dotted", "Lined"),
    ),
    ("POTSET", "26.99", "Ceramic Plant Pots, Set of 3", "陶器植木鉢 3個セット", _ONE),
    ("THERMO", "17.99", "Digital Meat Thermometer", "デジタル料理用温度計", _ONE),
    (
        "TOWEL6",
        "44.99",
        "Cotton Bath Towel Set, 6 Pieces",
        "綿バスタオル 6枚セット",
        _colours("WHT", "GRY"),
    ),
    (
        "SPKBT",
        "59.99",
        "Waterproof Bluetooth Speaker",
        "防水 Bluetooth スピーカー",
        _colours("BLK", "BLU"),
    ),
    ("GLOVEW", "24.99", "Touchscreen Winter Gloves", "スマホ対応 冬用手袋", _labels("M", "L")),
)
# Rough exchange rates used to derive stable shelf prices in other currencies.
_FX = {
    "USD": "1",
    "EUR": "0.93",
    "GBP": "0.80",
    "CAD": "1.37",
    "JPY": "150",
    "AED": "3.67",
    "MXN": "17.5",
    "BRL": "5.2",
    "SEK": "10.5",
    "PLN": "4.0",
    "TRY": "35",
    "SAR": "3.75",
    "EGP": "49",
    "INR": "83",
    "SGD": "1.35",
    "AUD": "1.5",
    "ZAR": "18.5",
}


@dataclass(frozen=True)
class Product:
    sku: str
    asin: str
    title: str
    title_ja: str
    base_usd: Decimal

    def price(self, currency: str) -> Decimal:
        """Shelf price in ``currency``: what the buyer sees on the product page."""
        converted = self.base_usd * Decimal(_FX.get(currency, "1"))
        if currency == "JPY":  # e.g. 3780: whole hundreds minus 20
            return Decimal(math.ceil(converted / 100) * 100 - 20)
        if currency in ("AED", "SAR", "EGP", "INR"):
            return Decimal(math.ceil(converted))
        return Decimal(math.ceil(converted)) - Decimal("0.01")

    def title_for(self, country_code: str) -> str:
        return self.title_ja if country_code == "JP" else self.title


def _asin_for(sku: str) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    digest = int(hashlib.sha1(sku.encode()).hexdigest(), 16)
    chars = []
    for _ in range(8):
        digest, index = divmod(digest, len(alphabet))
        chars.append(alphabet[index])
    return "B0" + "".join(chars)


def _build_catalogue():
    products = []
    for code, base, title, title_ja, variants in _FAMILIES:
        for variant_code, label, label_ja in variants:
            sku = f"{code}-{variant_code}" if variant_code else code
            products.append(
                Product(
                    sku=sku,
                    asin=_asin_for(sku),
                    title=f"{title}, {label}" if label else title,
                    title_ja=f"{title_ja} {label_ja}" if label_ja else title_ja,
                    base_usd=Decimal(base),
                )
            )
    return tuple(products)


CATALOGUE = _build_catalogue()
CATALOGUE_BY_SKU = {product.sku: product for product in CATALOGUE}

# --------------------------------------------------------------------------------------------
# Locales: names, addresses, phones, gift messages in each marketplace's script.


@dataclass(frozen=True)
class _Place:
    city: str
    region: str | None
    postal: str | None
    tax_rate: str = "0"  # US/CA combined sales tax; unused in VAT-inclusive marketplaces
    taxes_shipping: bool = True
    streets: tuple = ()  # overrides the locale's street templates (JP)


@dataclass(frozen=True)
class _Locale:
    language: str
    name_pools: tuple  # ((first names), (last names), family-name-first?)
    streets: tuple
    line2: tuple
    places: tuple
    phone: str
    companies: tuple
    region_optional: bool = True


_P = _Place
_WESTERN_EN = (
    (
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "Michael",
        "Jennifer",
        "David",
        "Linda",
        "Emily",
        "Daniel",
    ),
    (
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Miller",
        "Davis",
        "Wilson",
        "Taylor",
        "Clark",
    ),
    False,
)
_LOCALES = {
    "US": _Locale(
        "en",
        (
            _WESTERN_EN,
            (("José", "María", "Sofía", "Andrés"), ("Muñoz", "Peña", "Ibáñez", "Gómez"), False),
        ),
        (
            "{n} Main Street",
            "{n} Oak Avenue",
            "{n} Pine Road",
            "{n} Maple Drive",
            "{n} Lakeview Blvd",
        ),
        ("Apt {n}", "Suite {n}", "Unit {n}B"),
        (
            _P("Seattle", "WA", "98101", "0.1035"),
            _P("Los Angeles", "CA", "90012", "0.095", False),
            _P("New York", "NY", "10001", "0.08875"),
            _P("Austin", "TX", "78701", "0.0825"),
            _P("Miami", "FL", "33130", "0.07"),
            _P("Chicago", "IL", "60601", "0.1025", False),
            _P("Portland", "OR", "97205"),
            _P("Philadelphia", "PA", "19103", "0.08"),
            _P("Atlanta", "GA", "30303", "0.089"),
            _P("Denver", "CO", "80202", "0.0881", False),
            _P("Billings", "MT", "59101"),
            _P("Newark", "NJ", "07102", "0.06625"),
        ),
        "+1 ###-555-0###",
        ("Smith Industries LLC", "Northwind Traders Inc.", "Blue Ridge Dental PC"),
        region_optional=False,
    ),
    "CA": _Locale(
        "en",
        (
            _WESTERN_EN,
            (
                ("Geneviève", "François", "Hélène", "Stéphane"),
                ("Tremblay", "Gagné", "Bélanger", "Côté"),
                False,
            ),
        ),
        ("{n} Queen Street West", "{n} rue Saint-Denis", "{n} Robson Street", "{n} Jasper Ave"),
        ("Unit {n}", "App. {n}"),
        (
            _P("Toronto", "ON", "M5V 2T6", "0.13"),
            _P("Montréal", "QC", "H2X 1Y4", "0.14975"),
            _P("Vancouver", "BC", "V6B 1A1", "0.12"),
            _P("Calgary", "AB", "T2P 1J9", "0.05"),
            _P("Halifax", "NS", "B3H 1A1", "0.14"),
        ),
        "+1 ###-555-0###",
        ("Maple Leaf Supplies Ltd.", "Boulangerie Côté Inc."),
        region_optional=False,
    ),
    "DE": _Locale(
        "de",
        (
            (
                ("Jürgen", "Jörg", "Anna", "Björn", "Sören", "Käthe", "Lukas", "Marie"),
                ("Müller", "Schröder", "Weiß", "Köhler", "Groß", "Schäfer", "Jäger", "Becker"),
                False,
            ),
        ),
        (
            "Königstraße {n}",
            "Hauptstraße {n}",
            "Münchner Str. {n}",
            "Gartenweg {n}",
            "Schloßallee {n}",
        ),
        ("Hinterhaus", "{n}. OG", "c/o Büro {n}"),
        (
            _P("München", "Bayern", "80331"),
            _P("Köln", "Nordrhein-Westfalen", "50667"),
            _P("Düsseldorf", "Nordrhein-Westfalen", "40213"),
            _P("Berlin", "Berlin", "10115"),
            _P("Nürnberg", "Bayern", "90402"),
            _P("Saarbrücken", "Saarland", "66111"),
        ),
        "+49 1## #######",
        ("Müller & Söhne GmbH", "Bäckerei Schäfer KG", "Weiß Elektrotechnik AG"),
    ),
    "FR": _Locale(
        "fr",
        (
            (
                ("Hélène", "François", "Zoé", "Jérôme", "Céline", "Loïc", "Amélie"),
                ("Lefèvre", "Girard", "Bérenger", "Dupré", "Fournier", "Mercier"),
                False,
            ),
        ),
        (
            "{n} rue de la Paix",
            "{n} avenue des Champs-Élysées",
            "{n} boulevard Saint-Germain",
            "{n} place du Marché",
        ),
        ("Bâtiment B", "Appartement {n}", "Résidence les Érables"),
        (
            _P("Besançon", "Doubs", "25000"),
            _P("Orléans", "Loiret", "45000"),
            _P("Paris", "Île-de-France", "75011"),
            _P("Lyon", "Rhône", "69002"),
            _P("Saint-Étienne", "Loire", "42000"),
            _P("Nîmes", "Gard", "30000"),
        ),
        "+33 6 ## ## ## ##",
        ("Café Lumière SARL", "Société Dupré & Fils SAS"),
    ),
    "IT": _Locale(
        "it",
        (
            (
                ("Niccolò", "Ilaria", "Giovanni", "Chiara", "Nicolò", "Francesca"),
                ("Rossi", "Esposito", "Bianchi", "D'Amico", "Colombo", "Ricci"),
                False,
            ),
        ),
        (
            "Via Giuseppe Garibaldi {n}",
            "Corso Vittorio Emanuele II {n}",
            "Piazza Duomo {n}",
            "Via Roma {n}",
        ),
        ("Scala B", "Interno {n}"),
        (
            _P("Forlì", "FC", "47121"),
            _P("Milano", "MI", "20121"),
            _P("Roma", "RM", "00184"),
            _P("Cantù", "CO", "22063"),
            _P("Napoli", "NA", "80134"),
        ),
        "+39 3## ### ####",
        ("Rossi & Figli S.r.l.", "Caffè Centrale S.n.c."),
    ),
    "ES": _Locale(
        "es",
        (
            (
                ("José", "María", "Íñigo", "Begoña", "Álvaro", "Lucía"),
                ("Núñez", "García", "Martínez", "Ibáñez", "López", "Peña"),
                False,
            ),
        ),
        (
            "Calle Mayor {n}",
            "Avenida de Andalucía {n}",
            "Plaza de España {n}",
            "Calle de Alcalá {n}",
        ),
        ("{n}º B", "Escalera 2, {n}º"),
        (
            _P("A Coruña", "A Coruña", "15001"),
            _P("Málaga", "Málaga", "29001"),
            _P("Madrid", "Madrid", "28013"),
            _P("Cádiz", "Cádiz", "11001"),
            _P("León", "León", "24001"),
            _P("Barcelona", "Barcelona", "08001"),
        ),
        "+34 6## ### ###",
        ("Construcciones Núñez S.L.", "Panadería García S.A."),
    ),
    "GB": _Locale(
        "en",
        (_WESTERN_EN,),
        ("{n} High Street", "{n} Oak Avenue", "{n} Church Lane", "{n} Victoria Road"),
        ("Flat {n}", "Unit {n}B"),
        (
            _P("London", "England", "SW1A 1AA"),
            _P("Manchester", "England", "M1 2AB"),
            _P("Leeds", "England", "LS1 4DY"),
            _P("Cardiff", "Wales", "CF10 1EP"),
            _P("Edinburgh", "Scotland", "EH1 1YZ"),
            _P("Belfast", "Northern Ireland", "BT1 5GS"),
        ),
        "+44 7### ######",
        ("Wilson Electronics Ltd", "Thames Valley Joinery Ltd"),
    ),
    "JP": _Locale(
        "ja",
        (
            (
                ("太郎", "花子", "健一", "由美", "翔太", "さくら"),
                ("山田", "佐藤", "鈴木", "高橋", "田中", "渡辺"),
                True,
            ),
        ),
        (),
        ("グランドタワー {n}階", "ハイツ青葉 {n}号室", "サンシャインマンション {n}号室"),
        (
            _P("千代田区", "東京都", "100-0005", streets=("丸の内1-{n}-2", "大手町2-{n}-1")),
            _P("大阪市北区", "大阪府", "530-0001", streets=("梅田2-{n}-10", "曽根崎1-{n}-5")),
            _P("札幌市中央区", "北海道", "060-0001", streets=("北1条西{n}丁目",)),
            _P("名古屋市中村区", "愛知県", "450-0002", streets=("名駅3-{n}-1",)),
            _P("福岡市博多区", "福岡県", "812-0011", streets=("博多駅前2-{n}-1",)),
            _P("京都市下京区", "京都府", "600-8216", streets=("烏丸通塩小路下ル東塩小路町{n}",)),
        ),
        "090-####-####",
        ("株式会社山田商事", "有限会社さくら工房"),
        region_optional=False,
    ),
    "AE": _Locale(
        "ar",
        (
            (
                ("محمد", "فاطمة", "أحمد", "مريم", "خالد", "نورة"),
                ("الهاشمي", "المنصوري", "النعيمي", "الظاهري", "الكعبي"),
                False,
            ),
            (("Ahmed", "Aisha", "Omar", "Priya"), ("Al Mansoori", "Khan", "Haddad", "Nair"), False),
        ),
        (
            "فيلا {n}، شارع الشيخ زايد",
            "شقة {n}، برج الخليج",
            "Villa {n}, Al Wasl Road",
            "Apartment {n}, Marina Heights",
        ),
        ("الطابق {n}", "Floor {n}"),
        (
            _P("دبي", "دبي", None),
            _P("Dubai", "Dubai", None),
            _P("أبو ظبي", "أبو ظبي", None),
            _P("Sharjah", "Sharjah", None),
            _P("العين", "أبو ظبي", None),
        ),
        "+971 5# ### ####",
        ("شركة النور للتجارة ذ.م.م", "Gulf Horizon Trading LLC"),
    ),
}
_FALLBACK_LOCALE = _Locale(
    "en",
    (_WESTERN_EN,),
    ("{n} Market Street", "{n} Station Road"),
    ("Apt {n}",),
    (_P("Capital City", None, "10000"), _P("Harbour Town", None, "20000")),
    "+## ### ### ###",
    ("Example Trading Co.",),
)

_GIFT_MESSAGES = {
    "en": (
        "Happy birthday! Love, Sam",
        "Congratulations on the new home!",
        "Merry Christmas from all of us",
    ),
    "de": ("Alles Gute zum Geburtstag! Liebe Grüße, Jörg", "Frohe Weihnachten und schöne Grüße"),
    "fr": ("Joyeux anniversaire ! Bisous, Zoé", "Félicitations pour ton diplôme !"),
    "it": ("Buon compleanno! Un abbraccio, Niccolò", "Tanti auguri di buon Natale!"),
    "es": ("¡Feliz cumpleaños! Un abrazo, Íñigo", "¡Enhorabuena por tu nuevo trabajo!"),
    "ja": ("お誕生日おめでとうございます！", "いつもありがとう。感謝をこめて。"),
    "ar": ("عيد ميلاد سعيد!", "مبروك المنزل الجديد"),
}
_CARRIERS = {  # country -> ((carrier, shipping service, tracking-number pattern), ...)
    "US": (
        ("UPS", "UPS Ground", "1ZAAAAAA##########"),
        ("USPS", "USPS Priority Mail", "9400##################"),
        ("FedEx", "FedEx Home Delivery", "############"),
    ),
    "CA": (
        ("Canada Post", "Expedited Parcel", "################"),
        ("Purolator", "Purolator Ground", "############"),
    ),
    "DE": (
        ("DHL", "DHL Paket", "####################"),
        ("Hermes", "Hermes Paket", "H###################"),
        ("DPD", "DPD Classic", "##############"),
    ),
    "GB": (
        ("Royal Mail", "Royal Mail Tracked 48", "AA#########GB"),
        ("DPD", "DPD Next Day Delivery", "##############"),
        ("Evri", "Evri 48", "H###############"),
    ),
    "FR": (
        ("Colissimo", "Colissimo Domicile", "6A###########"),
        ("Chronopost", "Chronopost 13", "XW#########FR"),
    ),
    "IT": (
        ("BRT", "BRT Express", "###############"),
        ("Poste Italiane", "Poste Delivery Business", "AA#########IT"),
    ),
    "ES": (
        ("Correos", "Paq Estándar", "PQAAAA################"),
        ("SEUR", "SEUR 24", "##############"),
    ),
    "JP": (
        ("Yamato Transport", "TA-Q-BIN", "############"),
        ("Sagawa Express", "Hikyaku Express", "############"),
        ("Japan Post", "Yu-Pack", "############"),
    ),
    "AE": (
        ("Aramex", "Aramex Domestic", "###########"),
        ("Emirates Post", "EMX Express", "AA#########AE"),
    ),
}
_DEFAULT_CARRIERS = (("DHL", "DHL Express", "##########"),)
_OTHER_CARRIER_TRACKING = "############"  # a carrier the marketplace's list doesn't know
_SHIP_FROM = {  # country -> MerchantAddress of the seller's own warehouse
    "US": {
        "name": "Main Warehouse",
        "addressLine1": "456 Industrial Blvd",
        "city": "Kent",
        "stateOrRegion": "WA",
        "postalCode": "98032",
        "countryCode": "US",
    },
    "CA": {
        "name": "Entrepôt Laval",
        "addressLine1": "2500 boul. Industriel",
        "city": "Laval",
        "stateOrRegion": "QC",
        "postalCode": "H7S 2G6",
        "countryCode": "CA",
    },
    "DE": {
        "name": "Lager Nord",
        "addressLine1": "Industriestraße 7",
        "city": "Hamburg",
        "postalCode": "21079",
        "countryCode": "DE",
    },
    "GB": {
        "name": "UK Warehouse",
        "addressLine1": "Unit 7, Technology Park",
        "city": "Reading",
        "stateOrRegion": "England",
        "postalCode": "RG6 1AZ",
        "countryCode": "GB",
    },
    "JP": {
        "name": "東日本倉庫",
        "addressLine1": "東扇島1-2",
        "city": "川崎市川崎区",
        "stateOrRegion": "神奈川県",
        "postalCode": "210-0869",
        "countryCode": "JP",
    },
    "AE": {
        "name": "Jebel Ali Warehouse",
        "addressLine1": "Plot S10",
        "city": "Dubai",
        "stateOrRegion": "Dubai",
        "countryCode": "AE",
    },
}
# The buyer's VAT number on Amazon Business orders in the EU and GB: the country code, then
# the national format (``#`` a digit, ``A`` a capital letter).
VAT_NUMBER_FORMATS = {
    "DE": "#########",
    "GB": "#########",
    "FR": "###########",
    "IT": "###########",
    "ES": "B########",
    "IE": "#######AA",
    "BE": "0#########",
    "NL": "#########B##",
    "SE": "##########01",
    "PL": "##########",
}
BUSINESS_VAT_NUMBER_SHARE = 0.75
"""Business orders in those countries whose buyer gave Amazon a VAT number."""
_ORDER_ID_PREFIXES = {
    "US": ("111", "112", "113", "114"),
    "CA": ("701", "702"),
    "DE": ("302", "303", "304", "305", "306"),
    "GB": ("202", "203", "204", "205", "206"),
    "JP": ("249", "250", "503"),
    "AE": ("407", "408"),
}
_DEFAULT_ORDER_ID_PREFIXES = ("402", "403", "404", "405", "406")

# Shipping charged per order line, by currency: (standard, faster service levels).
_SHIPPING_FEES = {
    "USD": ("5.99", "12.99"),
    "EUR": ("3.99", "7.99"),
    "GBP": ("2.99", "6.99"),
    "JPY": ("500", "900"),
    "CAD": ("7.99", "14.99"),
    "AED": ("15", "25"),
}
_GIFT_WRAP_FEES = {
    "USD": "4.99",
    "EUR": "3.99",
    "GBP": "3.49",
    "JPY": "400",
    "CAD": "5.99",
    "AED": "10",
}
_COD_FEE_JPY = Decimal(330)
_BUSINESS_DISCOUNT = Decimal("0.95")  # Business price = 95 % of the consumer shelf price

# Service level -> (handling days to ship, min and max transit days).
_SERVICE_DAYS = {
    "STANDARD": (2, 2, 5),
    "FREE_ECONOMY": (2, 4, 8),
    "EXPEDITED": (1, 1, 3),
    "PRIORITY": (1, 1, 2),
    "SECOND_DAY": (1, 2, 2),
    "NEXT_DAY": (1, 1, 1),
    "SAME_DAY": (0, 0, 0),
    "SCHEDULED": (2, 3, 3),
}

_BUYER_CANCEL_REASONS = (
    "Order created by mistake",
    "Item no longer needed",
    "Found cheaper price elsewhere",
    "Delivery date too long",
    "Need to change shipping address",
)
_CANCEL_EXECUTION_REASONS = {
    "BUYER": ("Buyer cancelled the order before shipment",),
    "AMAZON": (
        "Payment could not be authorised",
        "Order flagged by fraud prevention",
        "Delivery address is not serviceable",
    ),
    "MERCHANT": ("Buyer requested cancellation", "Item out of stock"),
}

# --------------------------------------------------------------------------------------------
# Small helpers


def iso(moment: datetime) -> str:
    """ISO 8601 UTC with a ``Z`` suffix and whole seconds, as in the model's examples."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _as_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("now must be an aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0)


def _between(rng: random.Random, low: datetime, high: datetime) -> datetime:
    if high <= low:
        return low
    return low + timedelta(seconds=rng.randint(0, int((high - low).total_seconds())))


def _fill_pattern(rng: random.Random, pattern: str) -> str:
    """``#`` -> random digit, ``A`` -> random capital letter, anything else kept."""
    out = []
    for char in pattern:
        if char == "#":
            out.append(str(rng.randint(0, 9)))
        elif char == "A":
            out.append(chr(ord("A") + rng.randint(0, 25)))
        else:
            out.append(char)
    return "".join(out)


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[key] for key in keys])[0]


def _end_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(23, 59, 59), tzinfo=UTC)


def _start_of_day(moment: datetime) -> datetime:
    return datetime.combine(moment.date(), time(0, 0, 0), tzinfo=UTC)


def _country(order: dict) -> str:
    return MARKETPLACES[order["salesChannel"]["marketplaceId"]]["country_code"]


def _currency(order: dict) -> str:
    return MARKETPLACES[order["salesChannel"]["marketplaceId"]]["currency"]


def _locale(country: str) -> _Locale:
    return _LOCALES.get(country, _FALLBACK_LOCALE)


_ORDER_KEYS = (
    "orderId",
    "orderAliases",
    "createdTime",
    "lastUpdatedTime",
    "programs",
    "associatedOrders",
    "salesChannel",
    "buyer",
    "recipient",
    "proceeds",
    "payment",
    "tax",
    "fulfillment",
    "orderItems",
    "packages",
    "fulfillmentOrders",
)
_ITEM_KEYS = (
    "orderItemId",
    "quantityOrdered",
    "measurement",
    "associatedOrderItems",
    "programs",
    "product",
    "proceeds",
    "expense",
    "promotion",
    "cancellation",
    "fulfillment",
    "tax",
)


def _canonical(mapping: dict, keys: tuple) -> None:
    """Put keys in the model's order, so JSON output is stable however the dict was built."""
    ordered = {key: mapping[key] for key in keys if key in mapping}
    ordered.update((key, value) for key, value in mapping.items() if key not in ordered)
    mapping.clear()
    mapping.update(ordered)


def _tidy(order: dict) -> None:
    for item in order["orderItems"]:
        _canonical(item, _ITEM_KEYS)
    _canonical(order, _ORDER_KEYS)


# --------------------------------------------------------------------------------------------
# Money: building an item's proceeds the way docs/money-model.md describes.


@dataclass
class _Charges:
    """One order line's charges before tax, in the line's pricing basis (gross or net)."""

    item: Decimal
    shipping: Decimal = Decimal(0)
    gift_wrap: Decimal = Decimal(0)
    cod_fee: Decimal = Decimal(0)
    item_discount: Decimal = Decimal(0)  # positive amount taken off ITEM
    shipping_discount: Decimal = Decimal(0)  # positive amount taken off SHIPPING
    tax_rate: Decimal | None = None  # None: no TAX breakdown (VAT-inclusive or untaxed)
    taxes_shipping: bool = True


def _detail(subtype: str, amount: Decimal, currency: str) -> dict:
    return {"subtype": subtype, "value": money(amount, currency)}


def _breakdown(kind: str, amount: Decimal, currency: str, details=None) -> dict:
    entry = {"type": kind, "subtotal": money(amount, currency)}
    if details:
        entry["detailedBreakdowns"] = details
    return entry


def _item_proceeds(charges: _Charges, currency: str) -> dict:
    """ITEM/SHIPPING/GIFT_WRAP/COD_FEE positive, DISCOUNT negative, TAX added; total = sum."""

    def r(amount: Decimal) -> Decimal:
        return round_money(amount, currency)

    entries = [_breakdown("ITEM", charges.item, currency)]
    for kind, amount in (
        ("SHIPPING", charges.shipping),
        ("GIFT_WRAP", charges.gift_wrap),
        ("COD_FEE", charges.cod_fee),
    ):
        if amount:
            entries.append(_breakdown(kind, amount, currency))
    discount_details = [
        _detail(subtype, -amount, currency)
        for subtype, amount in (
            ("ITEM", charges.item_discount),
            ("SHIPPING", charges.shipping_discount),
        )
        if amount
    ]
    if discount_details:
        total = sum(money_value(detail["value"]) for detail in discount_details)
        entries.append(_breakdown("DISCOUNT", total, currency, discount_details))
    if charges.tax_rate is not None:
        rate = charges.tax_rate
        shipping_rate = rate if charges.taxes_shipping else Decimal(0)
        taxed = (
            ("ITEM", r(charges.item * rate)),
            ("SHIPPING", r(charges.shipping * shipping_rate)),
            ("GIFT_WRAP", r(charges.gift_wrap * rate)),
            ("COD_FEE", r(charges.cod_fee * rate)),
            (
                "DISCOUNT",
                -(r(charges.item_discount * rate) + r(charges.shipping_discount * shipping_rate)),
            ),
        )
        tax_details = [_detail(subtype, amount, currency) for subtype, amount in taxed if amount]
        if tax_details:
            total = sum(amount for _, amount in taxed)
            entries.append(_breakdown("TAX", total, currency, tax_details))
    total = sum(money_value(entry["subtotal"]) for entry in entries)
    return {"proceedsTotal": money(total, currency), "breakdowns": entries}


def _order_proceeds(order: dict) -> dict:
    """Order breakdowns = per-type sums over the items; grandTotal = their sum."""
    currency = _currency(order)
    sums = {}
    for item in order["orderItems"]:
        for entry in item.get("proceeds", {}).get("breakdowns", []):
            sums[entry["type"]] = sums.get(entry["type"], Decimal(0)) + money_value(
                entry["subtotal"]
            )
    breakdowns = [
        _breakdown(kind, sums[kind], currency) for kind in ITEM_BREAKDOWN_TYPES if kind in sums
    ]
    total = sum(sums.values(), Decimal(0))
    return {"grandTotal": money(total, currency), "breakdowns": breakdowns}


# --------------------------------------------------------------------------------------------
# The generator


@dataclass
class _Skeleton:
    marketplace_id: str
    status: str
    fulfilled_by: str
    created: datetime
    business: bool
    replacement: bool


_BASE_STATUS_WEIGHTS = {
    "PENDING_AVAILABILITY": 0.02,
    "UNSHIPPED": 0.16,
    "PARTIALLY_SHIPPED": 0.04,
    "SHIPPED": 0.58,
    "CANCELLED": 0.07,
    "UNFULFILLABLE": 0.01,
}
# Age range (hours) an order of each status is created in: pending orders are recent, etc.
_STATUS_AGE_HOURS = {
    "PENDING": (0, 48),
    "UNSHIPPED": (0.5, 72),
    "PARTIALLY_SHIPPED": (12, 144),
    "SHIPPED": (6, None),
    "CANCELLED": (0, None),
    "UNFULFILLABLE": (2, None),
    "PENDING_AVAILABILITY": (0, None),
}


@dataclass
class _Generator:
    rng: random.Random
    now: datetime
    order_ids: set = field(default_factory=set)
    item_ids: set = field(default_factory=set)

    # ---- identifiers

    def order_id(self, country: str) -> str:
        while True:
            prefix = self.rng.choice(_ORDER_ID_PREFIXES.get(country, _DEFAULT_ORDER_ID_PREFIXES))
            candidate = (
                f"{prefix}-{self.rng.randint(0, 9999999):07d}-{self.rng.randint(0, 9999999):07d}"
            )
            if candidate not in self.order_ids:
                self.order_ids.add(candidate)
                return candidate

    def order_item_id(self) -> str:
        while True:
            candidate = str(self.rng.randint(10**13, 10**14 - 1))
            if candidate not in self.item_ids:
                self.item_ids.add(candidate)
                return candidate

    # ---- people and places

    def person(self, country: str) -> str:
        first_names, last_names, family_first = self.rng.choice(_locale(country).name_pools)
        first, last = self.rng.choice(first_names), self.rng.choice(last_names)
        return f"{last} {first}" if family_first else f"{first} {last}"

    def address(self, country: str, name: str, mfn: bool, business_company: str | None):
        """A delivery address plus its place (whose tax rate US/CA pricing needs)."""
        rng, locale = self.rng, _locale(country)
        place = rng.choice(locale.places)
        street = rng.choice(place.streets or locale.streets).format(n=rng.randint(1, 199))
        address = {"name": name}
        company = business_company or (
            rng.choice(locale.companies) if rng.random() < 0.03 else None
        )
        if company:
            address["companyName"] = company
        address["addressLine1"] = street
        if rng.random() < 0.4:
            address["addressLine2"] = rng.choice(locale.line2).format(n=rng.randint(1, 40))
        address["city"] = place.city
        if place.region and not (locale.region_optional and rng.random() < 0.4):
            address["stateOrRegion"] = place.region
        if place.postal:
            address["postalCode"] = place.postal
        address["countryCode"] = country
        # Phone is suppressed for all FBA orders (CustomerAddress.phone) and sometimes absent.
        if mfn and rng.random() < 0.85:
            address["phone"] = _fill_pattern(rng, locale.phone)
        if company:
            address["addressType"] = "COMMERCIAL"
        else:
            address["addressType"] = "PICKUP_POINT" if rng.random() < 0.03 else "RESIDENTIAL"
        return address, place

    def buyer(self, country: str, name: str, mfn: bool, company: str | None) -> dict:
        buyer = {"buyerName": name}
        if mfn:  # Buyer.buyerEmail: "Only available for merchant-fulfilled (FBM) orders."
            local = "".join(
                self.rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14)
            )
            domain = MARKETPLACES_BY_COUNTRY.get(country, {}).get("domain", "amazon.com")
            buyer["buyerEmail"] = f"{local}@marketplace.{domain}"
        if company:
            buyer["buyerCompanyName"] = company
            if self.rng.random() < 0.5:
                buyer["buyerPurchaseOrderNumber"] = f"PO-{self.rng.randint(10000, 99999)}"
        return buyer

    # ---- building one order

    def build(self, skeleton: _Skeleton, earlier: list) -> dict:
        rng = self.rng
        marketplace = MARKETPLACES[skeleton.marketplace_id]
        country = marketplace["country_code"]
        original = self.pick_original(skeleton, earlier) if skeleton.replacement else None
        if original:  # the replacement is sent the way the original was
            skeleton.fulfilled_by = original["fulfillment"]["fulfilledBy"]
        mfn = skeleton.fulfilled_by == "MERCHANT"
        mcf = skeleton.status == "UNFULFILLABLE"  # only Amazon-fulfilled non-Amazon orders
        order = {
            "orderId": self.order_id(country),
            "createdTime": iso(skeleton.created),
            "lastUpdatedTime": iso(skeleton.created),
        }
        programs = self.programs(skeleton, mfn, mcf)
        if programs:
            order["programs"] = programs
        if original:
            order["associatedOrders"] = [
                {"orderId": original["orderId"], "associationType": "REPLACEMENT_ORIGINAL_ID"}
            ]
        order["salesChannel"] = {
            "channelName": "NON_AMAZON" if mcf else "AMAZON",
            "marketplaceId": skeleton.marketplace_id,
            "marketplaceName": "Non-Amazon"
            if mcf
            else "Amazon" + marketplace["domain"][len("amazon") :],
        }
        company = rng.choice(_locale(country).companies) if skeleton.business else None
        if original and "buyer" in original:
            order["buyer"] = dict(original["buyer"])
        elif not mcf:
            order["buyer"] = self.buyer(country, self.person(country), mfn, company)
            tax = _buyer_tax(order["orderId"], country, company)
            if tax:
                order["tax"] = tax
        level = self.service_level(country, mfn, programs)
        order["fulfillment"] = {
            "fulfillmentStatus": "PENDING",
            "fulfilledBy": skeleton.fulfilled_by,
            "fulfillmentServiceLevel": level,
        }
        if mfn:
            order["fulfillment"]["shipByWindow"] = _ship_by_window(skeleton.created, level)
        order["orderItems"] = self.items(country, original, skeleton.status)
        return self.advance(order, skeleton, original, company)

    def pick_original(self, skeleton: _Skeleton, earlier: list):
        """Replacement orders point at an earlier shipped order of the same marketplace."""
        candidates = [
            order
            for order in earlier
            if order["salesChannel"]["marketplaceId"] == skeleton.marketplace_id
            and order["fulfillment"]["fulfillmentStatus"] == "SHIPPED"
            and order["salesChannel"]["channelName"] == "AMAZON"
            and "associatedOrders" not in order
            and parse_time(order["createdTime"]) < skeleton.created
        ]
        return self.rng.choice(candidates) if candidates else None

    def programs(self, skeleton: _Skeleton, mfn: bool, mcf: bool) -> list:
        if mcf:
            return []
        rng, programs = self.rng, []
        if rng.random() < (0.12 if mfn else 0.7):
            programs.append("PRIME")
        if skeleton.business:
            programs.append("AMAZON_BUSINESS")
        if rng.random() < 0.05:
            programs.append("PREMIUM")
        if skeleton.status == "PENDING_AVAILABILITY":
            programs.append("PREORDER")
        return programs

    def service_level(self, country: str, mfn: bool, programs: list) -> str:
        if "PREMIUM" in programs:
            return self.rng.choice(("NEXT_DAY", "SECOND_DAY", "PRIORITY"))
        weights = {
            "STANDARD": 60,
            "EXPEDITED": 12,
            "FREE_ECONOMY": 10,
            "NEXT_DAY": 7,
            "SECOND_DAY": 6 if country in ("US", "CA") else 1,
            "PRIORITY": 2,
            "SAME_DAY": 1 if not mfn else 0,
            "SCHEDULED": 2 if mfn else 0,
        }
        if "PRIME" in programs:
            weights.update(FREE_ECONOMY=0, NEXT_DAY=25, SECOND_DAY=15)
        return _weighted(self.rng, weights)

    def items(self, country: str, original, status: str) -> list:
        rng = self.rng
        if original:
            lines = [
                (CATALOGUE_BY_SKU[item["product"]["sellerSku"]], item["quantityOrdered"])
                for item in original["orderItems"]
            ]
        else:
            count = _weighted(rng, {1: 55, 2: 25, 3: 13, 4: 7})
            products = rng.sample(CATALOGUE, count)
            lines = [(product, _weighted(rng, {1: 70, 2: 20, 3: 10})) for product in products]
        if status == "PARTIALLY_SHIPPED" and sum(qty for _, qty in lines) < 2:
            lines[0] = (lines[0][0], 2)  # a partial shipment needs at least two units
        items = []
        for product, quantity in lines:
            condition = {"conditionType": "NEW", "conditionSubtype": "NEW"}
            if not original and rng.random() < 0.03:
                condition = {
                    "conditionType": "USED",
                    "conditionSubtype": "VERY_GOOD",
                    "conditionNote": "Opened box, never used",
                }
            items.append(
                {
                    "orderItemId": self.order_item_id(),
                    "quantityOrdered": quantity,
                    "product": {
                        "asin": product.asin,
                        "title": product.title_for(country),
                        "sellerSku": product.sku,
                        "condition": condition,
                    },
                    "fulfillment": {"quantityFulfilled": 0, "quantityUnfulfilled": quantity},
                }
            )
        return items

    def advance(self, order: dict, skeleton: _Skeleton, original, company) -> dict:
        """Take a freshly placed (PENDING) order through the events its status implies."""
        rng, now, status = self.rng, self.now, skeleton.status
        created = skeleton.created
        if status == "PENDING_AVAILABILITY":
            order["fulfillment"]["fulfillmentStatus"] = status
            order["fulfillment"].pop("shipByWindow", None)  # not shippable before release
        elif status == "UNFULFILLABLE":
            order["fulfillment"]["fulfillmentStatus"] = status
            country = _country(order)
            order["recipient"] = {
                "deliveryAddress": self.address(country, self.person(country), False, None)[0]
            }
            for item in order["orderItems"]:
                item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
            order["lastUpdatedTime"] = iso(
                _between(rng, created, min(now, created + timedelta(hours=30)))
            )
        elif status == "CANCELLED":
            cancelled_at = _between(rng, created, min(now, created + timedelta(days=2)))
            cancelled_by = _weighted(rng, {"BUYER": 5, "AMAZON": 2, "MERCHANT": 3})
            if cancelled_by == "MERCHANT" and rng.random() < 0.5:
                for item in order["orderItems"]:
                    item["cancellation"] = {
                        "cancellationRequest": {
                            "requester": "BUYER",
                            "cancelReason": rng.choice(_BUYER_CANCEL_REASONS),
                        }
                    }
            _cancel(order, rng, cancelled_at, cancelled_by)
        elif status in MONEY_STATUSES:
            authorised = _between(rng, created, min(now, created + timedelta(hours=4)))
            self.authorise(order, authorised, original, company)
            if status != "UNSHIPPED":
                self.ship_generated(order, status, authorised)
            elif order["fulfillment"]["fulfilledBy"] == "MERCHANT" and rng.random() < 0.06:
                item = rng.choice(order["orderItems"])
                item["cancellation"] = {
                    "cancellationRequest": {
                        "requester": "BUYER",
                        "cancelReason": rng.choice(_BUYER_CANCEL_REASONS),
                    }
                }
                order["lastUpdatedTime"] = iso(_between(rng, authorised, now))
        _tidy(order)
        return order

    def authorise(self, order: dict, moment: datetime, original=None, company=None) -> None:
        """Payment authorised: address, prices, promotions and gift data become available."""
        rng = self.rng
        country, currency = _country(order), _currency(order)
        fulfillment = order["fulfillment"]
        mfn = fulfillment["fulfilledBy"] == "MERCHANT"
        programs = order.get("programs", [])
        business = "AMAZON_BUSINESS" in programs
        if original and "recipient" in original:
            order["recipient"] = {"deliveryAddress": dict(original["recipient"]["deliveryAddress"])}
            place = _place_of(order["recipient"]["deliveryAddress"])
        else:
            if company is None and business:
                company = order.get("buyer", {}).get("buyerCompanyName")
            buyer_name = order.get("buyer", {}).get("buyerName")
            name = buyer_name if buyer_name and rng.random() < 0.8 else self.person(country)
            address, place = self.address(country, name, mfn, company)
            order["recipient"] = {"deliveryAddress": address}
            if business and rng.random() < 0.5:
                order["recipient"]["deliveryPreference"] = _business_hours()
            elif rng.random() < 0.08:
                order["recipient"]["deliveryPreference"] = {
                    "dropOffLocation": rng.choice(("Front door", "Back porch", "Garage")),
                    "addressInstruction": "Ring the bell twice",
                }
        fulfillment["fulfillmentStatus"] = "UNSHIPPED"
        if mfn:  # the promise is (re)made when payment is authorised
            level = fulfillment["fulfillmentServiceLevel"]
            fulfillment["shipByWindow"] = _ship_by_window(moment, level)
            fulfillment["deliverByWindow"] = _deliver_by_window(moment, level)
        self.price_items(order, country, currency, place, bool(original))
        order["proceeds"] = _order_proceeds(order)
        if any(entry["type"] == "COD_FEE" for entry in order["proceeds"]["breakdowns"]):
            order["payment"] = {
                "paymentExecutions": [
                    {
                        "paymentMethod": "CashOnDelivery",
                        "paymentAmount": order["proceeds"]["grandTotal"],
                    }
                ]
            }
        order["lastUpdatedTime"] = iso(moment)

    def price_items(self, order, country, currency, place, replacement: bool) -> None:
        rng = self.rng
        fulfillment = order["fulfillment"]
        programs = order.get("programs", [])
        business = "AMAZON_BUSINESS" in programs
        mfn = fulfillment["fulfilledBy"] == "MERCHANT"
        level = fulfillment["fulfillmentServiceLevel"]
        if country in TAX_EXCLUSIVE_COUNTRIES:
            tax_rate, net = Decimal(place.tax_rate), True
            tax_rate = tax_rate if tax_rate else None
        elif business:  # Business price: net unit price, VAT added (getOrder example)
            tax_rate, net = Decimal(VAT_RATES.get(country, "0.20")), True
        else:  # consumer order in a VAT-inclusive marketplace: gross amounts, no TAX
            tax_rate, net = None, False
        vat_divisor = Decimal(1) + (
            Decimal(VAT_RATES.get(country, "0"))
            if business and country not in TAX_EXCLUSIVE_COUNTRIES
            else Decimal(0)
        )

        def basis(gross: Decimal) -> Decimal:
            return round_money(gross / vat_divisor, currency) if net else gross

        fees = _SHIPPING_FEES.get(currency, ("4.99", "9.99"))
        charges_shipping = (
            not replacement
            and "PRIME" not in programs
            and level != "FREE_ECONOMY"
            and rng.random() < (0.5 if mfn else 0.3)
        )
        shipping_fee = Decimal(fees[0] if level in ("STANDARD", "SCHEDULED") else fees[1])
        free_shipping_promo = charges_shipping and rng.random() < 0.25
        promo_pct = rng.choice((5, 10, 15, 20)) if not replacement and rng.random() < 0.15 else 0
        gift = not replacement and not business and rng.random() < 0.07
        cod = country == "JP" and mfn and not replacement and not business and rng.random() < 0.15
        promotions = []
        if promo_pct:
            promotions.append(f"{country}-SAVE{promo_pct}-{rng.choice(('SPRING', 'DEAL'))}")
        if free_shipping_promo:
            promotions.append(f"{country}-FREE-SHIPPING")
        language = _locale(country).language
        for index, item in enumerate(order["orderItems"]):
            product = CATALOGUE_BY_SKU[item["product"]["sellerSku"]]
            quantity = item["quantityOrdered"]
            if replacement:
                unit = Decimal(0)
            else:
                shelf = product.price(currency)
                unit = basis(
                    round_money(shelf * _BUSINESS_DISCOUNT, currency) if business else shelf
                )
            price = {"unitPrice": money(unit, currency)}
            if business and not replacement:
                price["priceDesignation"] = "BUSINESS_PRICE"
            item["product"]["price"] = price
            charges = _Charges(
                item=unit * quantity, tax_rate=tax_rate, taxes_shipping=place.taxes_shipping
            )
            if charges_shipping:
                charges.shipping = basis(shipping_fee)
                if free_shipping_promo:
                    charges.shipping_discount = charges.shipping
            if promo_pct:
                charges.item_discount = round_money(charges.item * promo_pct / 100, currency)
            if cod and index == 0:
                charges.cod_fee = _COD_FEE_JPY
            if gift and (index == 0 or rng.random() < 0.5):
                gift_option = {
                    "giftMessage": rng.choice(_GIFT_MESSAGES.get(language, _GIFT_MESSAGES["en"]))
                }
                if rng.random() < 0.8:
                    gift_option["giftWrapLevel"] = rng.choice(("STANDARD", "PREMIUM"))
                    fee = Decimal(_GIFT_WRAP_FEES.get(currency, "3.99"))
                    charges.gift_wrap = basis(fee) * quantity
                item["fulfillment"]["packing"] = {"giftOption": gift_option}
            item["proceeds"] = _item_proceeds(charges, currency)
            if promotions:
                item["promotion"] = {
                    "breakdowns": [{"promotionId": promotion_id} for promotion_id in promotions]
                }
            if country == "JP" and not replacement and rng.random() < 0.5:
                points = int(charges.item / 100)  # 1 % in Amazon points, 1 point = 1 yen
                if points:
                    item["expense"] = {
                        "pointsCost": {
                            "pointsGranted": {
                                "pointsNumber": points,
                                "pointsMonetaryValue": money(Decimal(points), currency),
                            }
                        }
                    }
            if country == "US" and any(
                entry["type"] == "TAX" for entry in item["proceeds"]["breakdowns"]
            ):
                item["tax"] = {
                    "taxCollections": [
                        {"model": "MARKETPLACE_FACILITATOR", "responsibleParty": US_FACILITATOR}
                    ]
                }
            shipping = {}
            if level == "SCHEDULED":
                day = _start_of_day(parse_time(order["createdTime"]) + timedelta(days=3))
                shipping["scheduledDeliveryWindow"] = {
                    "earliestDateTime": iso(day + timedelta(hours=9)),
                    "latestDateTime": iso(day + timedelta(hours=13)),
                }
            if cod:
                shipping["shippingConstraints"] = {"cashOnDelivery": "MANDATORY"}
            elif mfn and _in_usd(unit * quantity, currency) >= 150:
                shipping["shippingConstraints"] = {"signatureConfirmation": "MANDATORY"}
            if shipping:
                item["fulfillment"]["shipping"] = shipping

    def ship_generated(self, order: dict, status: str, authorised: datetime) -> None:
        """Ship every unit (SHIPPED) or a proper subset of them (PARTIALLY_SHIPPED)."""
        rng, now = self.rng, self.now
        units = [
            (item, unit) for item in order["orderItems"] for unit in range(item["quantityOrdered"])
        ]
        shipped_count = len(units)
        if status == "PARTIALLY_SHIPPED":
            shipped_count = rng.randint(1, len(units) - 1)
        quantities = {}
        for item, _ in units[:shipped_count]:
            quantities[item["orderItemId"]] = quantities.get(item["orderItemId"], 0) + 1
        mfn = order["fulfillment"]["fulfilledBy"] == "MERCHANT"
        if mfn:
            latest = parse_time(order["fulfillment"]["shipByWindow"]["latestDateTime"])
            ship_time = _between(rng, authorised + timedelta(hours=1), min(now, latest))
        else:
            ship_time = _between(
                rng, authorised + timedelta(hours=2), min(now, authorised + timedelta(hours=30))
            )
        ship_time = min(ship_time, now)
        if mfn and len(quantities) > 1 and rng.random() < 0.3:
            first = dict(list(quantities.items())[:1])
            rest = dict(list(quantities.items())[1:])
            self.add_package(order, first, ship_time)
            self.add_package(order, rest, ship_time)
        elif mfn:
            self.add_package(order, quantities, ship_time)
        _record_shipment(order, quantities)
        order["lastUpdatedTime"] = iso(ship_time)
        if mfn and status == "SHIPPED":
            delivery_end = parse_time(order["fulfillment"]["deliverByWindow"]["latestDateTime"])
            if delivery_end < now:  # phone suppressed once the delivery date has passed
                order["recipient"]["deliveryAddress"].pop("phone", None)

    def add_package(self, order: dict, quantities: dict, ship_time: datetime) -> None:
        rng, now = self.rng, self.now
        country = _country(order)
        carrier, service, pattern = rng.choice(_CARRIERS.get(country, _DEFAULT_CARRIERS))
        transit = _SERVICE_DAYS[order["fulfillment"]["fulfillmentServiceLevel"]][2]
        if ship_time + timedelta(days=transit, hours=12) < now:
            status = {"status": "DELIVERED", "detailedStatus": "DELIVERED"}
        elif ship_time + timedelta(hours=12) < now:
            status = {
                "status": "IN_TRANSIT",
                "detailedStatus": rng.choice(("PICKED_UP", "OUT_FOR_DELIVERY")),
            }
        else:
            status = {"status": "SHIPPED", "detailedStatus": "PICKED_UP"}
        packages = order.setdefault("packages", [])
        package = {
            "packageReferenceId": str(len(packages) + 1),
            "createdTime": iso(
                max(
                    parse_time(order["createdTime"]),
                    ship_time - timedelta(minutes=rng.randint(10, 240)),
                )
            ),
            "packageStatus": status,
            "carrier": carrier,
            "shipTime": iso(ship_time),
            "shippingService": service,
            "trackingNumber": _fill_pattern(rng, pattern),
        }
        if country in _SHIP_FROM:
            package["shipFromAddress"] = dict(_SHIP_FROM[country])
        package["packageItems"] = [
            {"orderItemId": item_id, "quantity": quantity}
            for item_id, quantity in quantities.items()
        ]
        packages.append(package)


def _buyer_tax(order_id: str, country: str, company: str | None):
    """The order's ``tax`` with a Business buyer's VAT registration, or None.

    Drawn apart from the main random stream, so adding it changed no other generated value:
    whether the buyer gave a VAT number depends on the order, the number on the company (a
    company keeps its number across orders, sellers and seeds).
    """
    if company is None or country not in VAT_NUMBER_FORMATS:
        return None
    if random.Random(f"vat:{order_id}").random() >= BUSINESS_VAT_NUMBER_SHARE:
        return None
    number = _fill_pattern(random.Random(f"vat:{country}:{company}"), VAT_NUMBER_FORMATS[country])
    registration = {
        "entityType": "BUYER",
        "legalName": company,
        "taxRegistrationType": "VAT",
        "taxRegistrationNumber": country + number,
    }
    return {"taxRegistrations": [registration]}


def carrier_with_tracking_number(rng: random.Random, country, carrier=None) -> tuple:
    """(carrier, tracking number): ``carrier``, else one the country's sellers commonly use,
    and a number in that carrier's format."""
    carriers = _CARRIERS.get(country, _DEFAULT_CARRIERS)
    if carrier is None:
        carrier, _, pattern = rng.choice(carriers)
    else:
        pattern = next(
            (pattern for name, _, pattern in carriers if name == carrier), _OTHER_CARRIER_TRACKING
        )
    return carrier, _fill_pattern(rng, pattern)


def _in_usd(amount: Decimal, currency: str) -> Decimal:
    return amount / Decimal(_FX.get(currency, "1"))


def _place_of(address: dict) -> _Place:
    """The locale place an address was drawn from (for its sales-tax rate)."""
    for place in _locale(address["countryCode"]).places:
        if place.city == address.get("city"):
            return place
    return _Place(address.get("city", ""), None, None)


def _ship_by_window(created: datetime, level: str) -> dict:
    handling = _SERVICE_DAYS[level][0]
    return {
        "earliestDateTime": iso(created),
        "latestDateTime": iso(_end_of_day(created + timedelta(days=handling))),
    }


def _deliver_by_window(created: datetime, level: str) -> dict:
    handling, fastest, slowest = _SERVICE_DAYS[level]
    ship_by = created + timedelta(days=handling)
    return {
        "earliestDateTime": iso(_start_of_day(ship_by + timedelta(days=fastest))),
        "latestDateTime": iso(_end_of_day(ship_by + timedelta(days=slowest))),
    }


def _business_hours() -> dict:
    window = [{"startTime": {"hour": 9, "minute": 0}, "endTime": {"hour": 17, "minute": 0}}]
    return {
        "dropOffLocation": "Reception",
        "deliveryTime": {
            "businessHours": [
                {"dayOfWeek": day, "timeWindows": window}
                for day in ("MON", "TUE", "WED", "THU", "FRI")
            ]
        },
    }


def _record_shipment(order: dict, quantities: dict) -> None:
    """Add shipped units to the items and derive the order status from what is left."""
    for item in order["orderItems"]:
        shipped = item["fulfillment"]["quantityFulfilled"] + quantities.get(item["orderItemId"], 0)
        item["fulfillment"]["quantityFulfilled"] = shipped
        item["fulfillment"]["quantityUnfulfilled"] = item["quantityOrdered"] - shipped
    remaining = sum(item["fulfillment"]["quantityUnfulfilled"] for item in order["orderItems"])
    order["fulfillment"]["fulfillmentStatus"] = "PARTIALLY_SHIPPED" if remaining else "SHIPPED"


_PAYMENT_DEPENDENT_ITEM_KEYS = ("proceeds", "expense", "promotion", "tax")


def _cancel(order: dict, rng: random.Random, moment: datetime, cancelled_by: str) -> None:
    """Cancel the whole order: like v0, no address, prices or gift data remain."""
    for key in ("recipient", "proceeds", "payment"):
        order.pop(key, None)
    order["fulfillment"]["fulfillmentStatus"] = "CANCELLED"
    order["fulfillment"].pop("deliverByWindow", None)
    reason = rng.choice(_CANCEL_EXECUTION_REASONS[cancelled_by])
    for item in order["orderItems"]:
        for key in _PAYMENT_DEPENDENT_ITEM_KEYS:
            item.pop(key, None)
        item["product"].pop("price", None)
        item["fulfillment"] = {"quantityFulfilled": 0, "quantityUnfulfilled": 0}
        cancellation = item.setdefault("cancellation", {})
        cancellation["cancellationExecution"] = {
            "cancelledBy": cancelled_by,
            "cancelReason": reason,
        }
    order["lastUpdatedTime"] = iso(moment)


def _skeletons(
    rng,
    count,
    marketplace_ids,
    now,
    days,
    fba_share,
    pending_share,
    replacement_share,
    business_share,
):
    scale = (1 - pending_share) / sum(_BASE_STATUS_WEIGHTS.values())
    status_weights = {"PENDING": pending_share}
    status_weights.update({key: value * scale for key, value in _BASE_STATUS_WEIGHTS.items()})
    market_weights = {
        mid: _MARKETPLACE_WEIGHTS.get(MARKETPLACES[mid]["country_code"], 5)
        for mid in marketplace_ids
    }
    skeletons = []
    for _ in range(count):
        status = _weighted(rng, status_weights)
        fulfilled_by = (
            "AMAZON" if status == "UNFULFILLABLE" or rng.random() < fba_share else "MERCHANT"
        )
        min_age, max_age = _STATUS_AGE_HOURS[status]
        oldest = now - timedelta(days=days)
        if max_age is not None:
            oldest = max(oldest, now - timedelta(hours=max_age))
        newest = max(oldest, now - timedelta(hours=min_age))
        replacement = status in ("UNSHIPPED", "SHIPPED") and rng.random() < replacement_share
        skeletons.append(
            _Skeleton(
                marketplace_id=_weighted(rng, market_weights),
                status=status,
                fulfilled_by=fulfilled_by,
                created=_between(rng, oldest, newest),
                business=(
                    status != "UNFULFILLABLE" and not replacement and rng.random() < business_share
                ),
                replacement=replacement,
            )
        )
    skeletons.sort(key=lambda skeleton: skeleton.created)
    return skeletons


def generate_orders(
    seed: int,
    count: int,
    seller_id: str,
    marketplace_ids=None,
    now: datetime | None = None,
    days: int = 30,
    fba_share: float = 0.25,
    pending_share: float = 0.1,
    replacement_share: float = 0.05,
    business_share: float = 0.08,
) -> list[dict]:
    """``count`` full v2026-01-01 ``Order`` dicts created in the ``days`` before ``now``.

    Sorted by createdTime. Same arguments, same output (byte for byte once JSON-encoded).
    """
    marketplace_ids = list(marketplace_ids or DEFAULT_MARKETPLACE_IDS)
    unknown = [mid for mid in marketplace_ids if mid not in MARKETPLACES]
    if unknown:
        raise ValueError(f"unknown marketplace ids: {unknown}")
    now = _as_utc(now or DEFAULT_NOW)
    rng = random.Random(f"{seed}:{seller_id}")
    skeletons = _skeletons(
        rng,
        count,
        marketplace_ids,
        now,
        days,
        fba_share,
        pending_share,
        replacement_share,
        business_share,
    )
    generator = _Generator(rng, now)
    orders = []
    for skeleton in skeletons:
        orders.append(generator.build(skeleton, orders))
    return orders


# --------------------------------------------------------------------------------------------
# Evolution: orders change over time like real ones.


def _transitions(order: dict, now: datetime) -> dict:
    """Possible next events of an order, with their relative likelihood."""
    if order["salesChannel"]["channelName"] != "AMAZON" or parse_time(order["createdTime"]) > now:
        return {}
    status = order["fulfillment"]["fulfillmentStatus"]
    fba = order["fulfillment"].get("fulfilledBy") == "AMAZON"
    if status == "PENDING_AVAILABILITY":
        return {"release": 1}
    if status == "PENDING":
        return {"authorise": 9, "cancel_amazon": 1}
    if status == "PARTIALLY_SHIPPED" and fba:
        return {"amazon_ships": 1}
    if status != "UNSHIPPED":
        return {}
    # Buyers cancel soon after ordering; Amazon cancels orders whose ship-by date is long past.
    young = parse_time(order["createdTime"]) > now - timedelta(days=2)
    ship_by = order["fulfillment"].get("shipByWindow", {}).get("latestDateTime")
    overdue = ship_by is not None and parse_time(ship_by) < now - timedelta(days=3)
    events = {"cancel_buyer": 2 if young else 0, "cancel_amazon": 1 if young or overdue else 0}
    if fba:
        events["amazon_ships"] = 7
    elif not any(
        "cancellationRequest" in item.get("cancellation", {}) for item in order["orderItems"]
    ):
        events["buyer_requests_cancel"] = 4
    return {event: weight for event, weight in events.items() if weight}


def evolve_orders(orders: list[dict], rng: random.Random, now: datetime, count: int) -> list[str]:
    """Apply up to ``count`` realistic changes in place; return the changed order ids.

    PENDING_AVAILABILITY -> PENDING (release date reached); PENDING -> UNSHIPPED (payment
    authorised: address, prices and proceeds appear) or CANCELLED by Amazon; UNSHIPPED ->
    CANCELLED by the buyer (orders under two days old) or Amazon (also when the ship-by date
    is over three days past); a buyer cancellation request on an unshipped FBM item; Amazon
    ships an FBA order (-> SHIPPED; no ``packages``: the model gives them for FBM only).
    FBM orders otherwise wait for the seller. Each changed order gets lastUpdatedTime = now.
    """
    now = _as_utc(now)
    candidates = [(order, events) for order in orders if (events := _transitions(order, now))]
    chosen = rng.sample(candidates, min(count, len(candidates)))
    generator = _Generator(rng, now)
    changed = []
    for order, events in chosen:
        event = _weighted(rng, events)
        if event == "release":
            order["fulfillment"]["fulfillmentStatus"] = "PENDING"
            if order["fulfillment"].get("fulfilledBy") == "MERCHANT":
                order["fulfillment"]["shipByWindow"] = _ship_by_window(
                    now, order["fulfillment"]["fulfillmentServiceLevel"]
                )
        elif event == "authorise":
            generator.authorise(order, now)
        elif event == "amazon_ships":
            remaining = {
                item["orderItemId"]: item["fulfillment"]["quantityUnfulfilled"]
                for item in order["orderItems"]
            }
            _record_shipment(order, remaining)
        elif event == "buyer_requests_cancel":
            item = rng.choice(order["orderItems"])
            item["cancellation"] = {
                "cancellationRequest": {
                    "requester": "BUYER",
                    "cancelReason": rng.choice(_BUYER_CANCEL_REASONS),
                }
            }
        else:
            _cancel(order, rng, now, "BUYER" if event == "cancel_buyer" else "AMAZON")
        order["lastUpdatedTime"] = iso(now)
        _tidy(order)
        changed.append(order["orderId"])
    return changed


# --------------------------------------------------------------------------------------------
# How money adds up (docs/money-model.md), as code.


def item_total(item: dict) -> Decimal:
    """What the buyer paid for one order item: the sum of its proceeds breakdowns."""
    return sum(
        (
            money_value(entry["subtotal"])
            for entry in item.get("proceeds", {}).get("breakdowns", [])
        ),
        Decimal(0),
    )


def order_total(order: dict) -> Decimal:
    """What the buyer paid for the order (= proceeds.grandTotal when consistent).

    The sum of the items' totals plus order-level charges (``DELIVERY_TIP``). Zero while
    the order carries no money (pending, cancelled, non-Amazon orders).
    """
    total = sum((item_total(item) for item in order["orderItems"]), Decimal(0))
    for entry in order.get("proceeds", {}).get("breakdowns", []):
        if entry["type"] in ORDER_ONLY_BREAKDOWN_TYPES:
            total += money_value(entry["subtotal"])
    return total


def _amount_problems(value: dict, currency: str, where: str) -> list:
    problems = []
    amount = value.get("amount")
    if not isinstance(amount, str):
        return [f"{where}: amount {amount!r} is not a string"]
    if value.get("currencyCode") != currency:
        problems.append(f"{where}: currency {value.get('currencyCode')} != {currency}")
    try:
        decimal = Decimal(amount)
    except ArithmeticError:
        return [*problems, f"{where}: amount {amount!r} is not a decimal"]
    if decimal.as_tuple().exponent != currency_quantum(currency).as_tuple().exponent:
        problems.append(f"{where}: amount {amount!r} has the wrong number of decimals")
    return problems


def _item_problems(item: dict, currency: str) -> list:
    where = f"item {item.get('orderItemId')}"
    problems = []
    proceeds = item.get("proceeds")
    price = item["product"].get("price", {}).get("unitPrice")
    if price:
        problems += _amount_problems(price, currency, f"{where} unitPrice")
    if not proceeds:
        return problems
    seen = set()
    for entry in proceeds["breakdowns"]:
        kind, subtotal = entry["type"], money_value(entry["subtotal"])
        label = f"{where} {kind}"
        problems += _amount_problems(entry["subtotal"], currency, label)
        if kind in seen:
            problems.append(f"{label}: type appears twice")
        seen.add(kind)
        details = entry.get("detailedBreakdowns")
        if details is not None:
            if kind not in ("TAX", "DISCOUNT"):
                problems.append(f"{label}: detailedBreakdowns only belong to TAX and DISCOUNT")
            for detail in details:
                problems += _amount_problems(
                    detail["value"], currency, f"{label}/{detail.get('subtype')}"
                )
            detail_sum = sum((money_value(detail["value"]) for detail in details), Decimal(0))
            if detail_sum != subtotal:
                problems.append(f"{label}: detailedBreakdowns sum {detail_sum} != {subtotal}")
        if kind == "DISCOUNT":
            if subtotal > 0 or any(money_value(d["value"]) > 0 for d in details or ()):
                problems.append(f"{label}: discounts must be negative")
        elif kind != "TAX" and subtotal < 0:
            problems.append(f"{label}: charge {subtotal} is negative")
        if kind == "TAX":
            for detail in details or ():
                value = money_value(detail["value"])
                if (detail.get("subtype") == "DISCOUNT") != (value < 0):
                    problems.append(f"{label}: only the tax on discounts is negative")
    if "ITEM" not in seen:
        problems.append(f"{where}: proceeds without an ITEM breakdown")
    elif price:
        expected = money_value(price) * item["quantityOrdered"]
        item_amount = next(
            money_value(e["subtotal"]) for e in proceeds["breakdowns"] if e["type"] == "ITEM"
        )
        if item_amount != expected:
            problems.append(f"{where}: ITEM {item_amount} != unitPrice x quantity {expected}")
    problems += _amount_problems(proceeds["proceedsTotal"], currency, f"{where} proceedsTotal")
    if money_value(proceeds["proceedsTotal"]) != item_total(item):
        problems.append(
            f"{where}: proceedsTotal {proceeds['proceedsTotal']['amount']} != "
            f"sum of breakdowns {item_total(item)}"
        )
    return problems


def _quantity_problems(order: dict) -> list:
    status = order["fulfillment"]["fulfillmentStatus"]
    problems = []
    shipped_total = unshipped_total = 0
    for item in order["orderItems"]:
        fulfilled = item.get("fulfillment", {}).get("quantityFulfilled", 0)
        unfulfilled = item.get("fulfillment", {}).get("quantityUnfulfilled", 0)
        shipped_total, unshipped_total = shipped_total + fulfilled, unshipped_total + unfulfilled
        if (
            status not in ("CANCELLED", "UNFULFILLABLE")
            and fulfilled + unfulfilled != item["quantityOrdered"]
        ):
            problems.append(f"item {item['orderItemId']}: fulfilled + unfulfilled != ordered")
    expected = {
        "SHIPPED": unshipped_total == 0 and shipped_total > 0,
        "PARTIALLY_SHIPPED": shipped_total > 0 and unshipped_total > 0,
        "UNSHIPPED": shipped_total == 0,
    }.get(status, shipped_total == 0)
    if not expected:
        problems.append(f"{status}: {shipped_total} shipped / {unshipped_total} unshipped units")
    if "packages" in order:
        packed = {}
        for package in order["packages"]:
            for entry in package.get("packageItems", []):
                packed[entry["orderItemId"]] = (
                    packed.get(entry["orderItemId"], 0) + entry["quantity"]
                )
        for item in order["orderItems"]:
            fulfilled = item.get("fulfillment", {}).get("quantityFulfilled", 0)
            if packed.get(item["orderItemId"], 0) != fulfilled:
                problems.append(
                    f"item {item['orderItemId']}: packages hold "
                    f"{packed.get(item['orderItemId'], 0)}, shipped {fulfilled}"
                )
    return problems


def check_order_adds_up(order: dict) -> list[str]:
    """Every way the order's money and quantities fail to add up; empty when consistent."""
    currency = _currency(order)
    status = order["fulfillment"]["fulfillmentStatus"]
    problems = _quantity_problems(order)
    has_money = any("proceeds" in item for item in order["orderItems"])
    money_expected = status in MONEY_STATUSES and order["salesChannel"]["channelName"] == "AMAZON"
    if has_money != money_expected or ("proceeds" in order) != money_expected:
        problems.append(f"{status} order: money present={has_money}, expected={money_expected}")
    if money_expected and not all("proceeds" in item for item in order["orderItems"]):
        problems.append("some items lack proceeds")
    for item in order["orderItems"]:
        problems += _item_problems(item, currency)
    proceeds = order.get("proceeds")
    if not proceeds:
        return problems
    problems += _amount_problems(proceeds["grandTotal"], currency, "grandTotal")
    item_sums = {}
    for item in order["orderItems"]:
        for entry in item.get("proceeds", {}).get("breakdowns", []):
            item_sums[entry["type"]] = item_sums.get(entry["type"], Decimal(0)) + money_value(
                entry["subtotal"]
            )
    order_sums = {}
    for entry in proceeds.get("breakdowns", []):
        problems += _amount_problems(entry["subtotal"], currency, f"order {entry['type']}")
        order_sums[entry["type"]] = money_value(entry["subtotal"])
    for kind in set(item_sums) | set(order_sums):
        if kind in ORDER_ONLY_BREAKDOWN_TYPES:
            continue
        if item_sums.get(kind, Decimal(0)) != order_sums.get(kind, Decimal(0)):
            problems.append(f"order {kind} {order_sums.get(kind)} != items' {item_sums.get(kind)}")
    grand_total = money_value(proceeds["grandTotal"])
    if grand_total != sum(order_sums.values(), Decimal(0)):
        problems.append(f"grandTotal {grand_total} != sum of order breakdowns")
    if grand_total != order_total(order):
        problems.append(f"grandTotal {grand_total} != items + order-level {order_total(order)}")
    for execution in order.get("payment", {}).get("paymentExecutions", []):
        if money_value(execution["paymentAmount"]) != grand_total:
            problems.append("payment amount != grandTotal")
    return problems
