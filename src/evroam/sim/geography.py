"""Where synthetic charging sites are: real countries, cities, time zones and address forms."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, kw_only=True)
class City:
    """A real city centre (WGS 84, 5 decimals) and its IANA time zone."""

    name: str
    latitude: Decimal
    longitude: Decimal
    time_zone: str
    # Postal code pattern: `#` a digit, `@` a capital letter, anything else kept.
    postal_code: str
    state: str | None = None


@dataclass(frozen=True, kw_only=True)
class Country:
    """A country we place sites in, with what its tariffs need (currency, VAT)."""

    code: str  # ISO 3166-1 alpha-2
    alpha3: str  # ISO 3166-1 alpha-3, the Location `country`
    currency: str  # ISO 4217
    vat: Decimal | None  # standard VAT in %; None where prices carry no VAT (US sales tax)
    price_factor: Decimal  # local currency per EUR, rounded, to set price levels
    weight: int  # relative share of the generated sites
    language: str  # ISO 639-1, for DisplayText
    plugs: str  # "EU" (Type 2, CCS2) or "US" (Type 1, CCS1)
    streets: tuple[str, ...]
    cities: tuple[City, ...]


# country | city | latitude | longitude | time zone | postal code pattern | state
_CITIES = """
NL|Amsterdam|52.37022|4.89517|Europe/Amsterdam|10## @@|
NL|Rotterdam|51.92442|4.47773|Europe/Amsterdam|30## @@|
NL|Utrecht|52.09074|5.12142|Europe/Amsterdam|35## @@|
NL|Eindhoven|51.44164|5.46972|Europe/Amsterdam|56## @@|
NL|Groningen|53.21917|6.56667|Europe/Amsterdam|97## @@|
BE|Brussel|50.85034|4.35171|Europe/Brussels|10##|
BE|Antwerpen|51.21989|4.40346|Europe/Brussels|20##|
BE|Gent|51.05434|3.71742|Europe/Brussels|90##|
DE|Berlin|52.52001|13.40495|Europe/Berlin|10###|
DE|München|48.13513|11.58198|Europe/Berlin|80###|
DE|Hamburg|53.55108|9.99368|Europe/Berlin|20###|
DE|Köln|50.93753|6.96028|Europe/Berlin|50###|
DE|Frankfurt am Main|50.11092|8.68213|Europe/Berlin|60###|
FR|Paris|48.85661|2.35222|Europe/Paris|750##|
FR|Lyon|45.76404|4.83566|Europe/Paris|6900#|
FR|Marseille|43.29648|5.36978|Europe/Paris|130##|
GB|London|51.50735|-0.12776|Europe/London|SW# #@@|
GB|Manchester|53.48076|-2.24263|Europe/London|M# #@@|
GB|Edinburgh|55.95325|-3.18827|Europe/London|EH# #@@|
NO|Oslo|59.91387|10.75225|Europe/Oslo|0###|
NO|Bergen|60.39126|5.32205|Europe/Oslo|50##|
SE|Stockholm|59.32932|18.06858|Europe/Stockholm|11# ##|
SE|Göteborg|57.70887|11.97456|Europe/Stockholm|41# ##|
SE|Malmö|55.60498|13.00382|Europe/Stockholm|21# ##|
ES|Madrid|40.41678|-3.70379|Europe/Madrid|280##|
ES|Barcelona|41.38506|2.17340|Europe/Madrid|080##|
ES|Las Palmas de Gran Canaria|28.12355|-15.43626|Atlantic/Canary|350##|
PT|Lisboa|38.72225|-9.13934|Europe/Lisbon|1###-###|
PT|Porto|41.15794|-8.62910|Europe/Lisbon|4###-###|
PT|Funchal|32.66693|-16.92405|Atlantic/Madeira|9###-###|
CH|Zürich|47.37689|8.54169|Europe/Zurich|80##|
CH|Genève|46.20439|6.14316|Europe/Zurich|12##|
PL|Warszawa|52.22968|21.01223|Europe/Warsaw|00-###|
PL|Kraków|50.06465|19.94498|Europe/Warsaw|31-###|
FI|Helsinki|60.16987|24.93838|Europe/Helsinki|00###|
FI|Tampere|61.49780|23.76097|Europe/Helsinki|33###|
US|New York|40.71278|-74.00597|America/New_York|100##|NY
US|Chicago|41.87811|-87.62980|America/Chicago|606##|IL
US|Denver|39.73924|-104.99025|America/Denver|802##|CO
US|Los Angeles|34.05223|-118.24368|America/Los_Angeles|900##|CA
"""

# code | alpha-3 | currency | VAT % | per EUR | weight | language | plugs | streets (";")
_COUNTRIES = """
NL|NLD|EUR|21|1|30|nl|EU|Stationsplein;Kerkstraat;Dorpsstraat;Marktplein;Parkweg;Havenstraat
BE|BEL|EUR|21|1|10|nl|EU|Kerkstraat;Stationsstraat;Rue de la Gare;Grote Markt;Avenue Louise
DE|DEU|EUR|19|1|15|de|EU|Hauptstraße;Bahnhofstraße;Schulstraße;Gartenstraße;Am Markt
FR|FRA|EUR|20|1|10|fr|EU|Rue de la République;Avenue Jean Jaurès;Place de la Gare;Rue Victor Hugo
GB|GBR|GBP|20|0.86|8|en|EU|High Street;Station Road;Church Lane;Victoria Road;Park Avenue
NO|NOR|NOK|25|11.5|5|nb|EU|Storgata;Kirkeveien;Strandgata;Sjøgata
SE|SWE|SEK|25|11.3|5|sv|EU|Storgatan;Drottninggatan;Kungsgatan;Järnvägsgatan
ES|ESP|EUR|21|1|5|es|EU|Calle Mayor;Avenida de la Constitución;Calle Real;Plaza de España
PT|PRT|EUR|23|1|3|pt|EU|Rua Direita;Avenida da Liberdade;Rua do Comércio
CH|CHE|CHF|8.1|0.95|3|de|EU|Bahnhofstrasse;Hauptstrasse;Rue du Rhône
PL|POL|PLN|23|4.3|3|pl|EU|ulica Marszałkowska;ulica Długa;ulica Kościuszki
FI|FIN|EUR|25.5|1|2|fi|EU|Mannerheimintie;Hämeenkatu;Aleksanterinkatu
US|USA|USD||1.08|4|en|US|Main Street;Oak Avenue;Broadway;Washington Boulevard
"""


def _rows(table: str) -> list[list[str]]:
    return [line.split("|") for line in table.strip().splitlines()]


def _cities_of(code: str) -> tuple[City, ...]:
    return tuple(
        City(
            name=name,
            latitude=Decimal(lat),
            longitude=Decimal(lon),
            time_zone=zone,
            postal_code=postal,
            state=state or None,
        )
        for country, name, lat, lon, zone, postal, state in _rows(_CITIES)
        if country == code
    )


def _countries() -> tuple[Country, ...]:
    return tuple(
        Country(
            code=code,
            alpha3=alpha3,
            currency=currency,
            vat=Decimal(vat) if vat else None,
            price_factor=Decimal(factor),
            weight=int(weight),
            language=language,
            plugs=plugs,
            streets=tuple(streets.split(";")),
            cities=_cities_of(code),
        )
        for code, alpha3, currency, vat, factor, weight, language, plugs, streets in _rows(
            _COUNTRIES
        )
    )


COUNTRIES = _countries()
