"""Every parameter of the simulated municipality, in one place; docs/simulation.md explains each.

Yearly volumes are per 100,000 inhabitants in the first simulated year and scale linearly with
the number of inhabitants. Weekday factors run Monday..Sunday.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class IntakeParams:
    yearly: float  # items per year per 100,000 inhabitants
    weekday: tuple[float, ...]  # relative intake Monday..Sunday
    public_holiday: float  # multiplier on public holidays
    school_holiday: float  # multiplier during school holidays (region Midden)
    january_peak: float  # extra share at the January peak (Gaussian around 12 Jan)
    summer: float  # multiplier mid-July to mid-August, on top of school holidays
    trend: float  # growth per year (0.03 = +3 %)
    dispersion: float  # negative-binomial size k: variance = mu + mu^2 / k
    step: float = 0.0  # structural break: relative lift from the break date on


OFFICE = (1.30, 1.15, 1.10, 1.05, 0.85, 0.04, 0.02)  # applications mostly on weekdays; a few online
INTAKE: dict[str, IntakeParams] = {
    "bijstand_aanvragen": IntakeParams(750, OFFICE, 0.05, 0.90, 0.20, 0.90, 0.02, 12),
    "bijzondere_bijstand": IntakeParams(2_800, OFFICE, 0.05, 0.85, 0.25, 0.85, 0.03, 15),
    "wmo_meldingen": IntakeParams(3_600, OFFICE, 0.05, 0.85, 0.10, 0.85, 0.04, 15),
    "jeugdhulp": IntakeParams(1_400, OFFICE, 0.05, 0.65, 0.10, 0.90, 0.03, 10),
    "schuldhulp_aanmeldingen": IntakeParams(650, OFFICE, 0.05, 0.90, 0.30, 0.85, 0.0, 10, step=0.40),
    "omgevingsvergunningen": IntakeParams(
        900, (1.20, 1.10, 1.10, 1.05, 0.95, 0.05, 0.03), 0.05, 0.80, -0.15, 0.75, -0.02, 12
    ),
    "meldingen_openbare_ruimte": IntakeParams(
        9_000, (1.25, 1.10, 1.05, 1.00, 0.95, 0.70, 0.70), 0.60, 1.00, 0.0, 1.15, 0.02, 20
    ),
    "kcc_contacten": IntakeParams(
        160_000, (1.45, 1.20, 1.10, 1.05, 0.90, 0.04, 0.03), 0.04, 0.85, 0.25, 0.85, -0.02, 30
    ),
}
WEEKLY_LEVEL_PHI = 0.85  # AR(1) on the log level per week: persistence
WEEKLY_LEVEL_SD = 0.05  # AR(1) innovation standard deviation
STEP_TEAM = "schuldhulp_aanmeldingen"  # vroegsignalering: municipalities act on payment-arrears signals
STEP_AT_SHARE = 0.4  # break on 1 January of the year nearest to 40 % of the window

# Cases --------------------------------------------------------------------------------
MIGRATION = {"nederland": 0.70, "europa": 0.12, "buiten_europa": 0.18}  # CBS 'herkomst', 2022 terms
SEX = {"man": 0.48, "vrouw": 0.52}
AGE_BANDS = ("18-26", "27-44", "45-66", "67+")
AGE_BY_TEAM = {
    "bijstand_aanvragen": (0.25, 0.42, 0.31, 0.02),
    "bijzondere_bijstand": (0.18, 0.38, 0.34, 0.10),
    "wmo_meldingen": (0.03, 0.10, 0.27, 0.60),
    "jeugdhulp": (0.08, 0.62, 0.30, 0.00),
    "schuldhulp_aanmeldingen": (0.20, 0.45, 0.30, 0.05),
    "omgevingsvergunningen": (0.04, 0.40, 0.42, 0.14),
}
DISTRICTS = tuple(f"wijk_{i:02d}" for i in range(1, 11))
CONCENTRATED = ("wijk_03", "wijk_07", "wijk_08")  # where the proxy lives
CONCENTRATED_SHARE = {"buiten_europa": 0.75, "europa": 0.35, "nederland": 0.12}

CHANNELS = ("online", "telefoon", "balie", "post", "verwijzing")
CHANNEL_P = (0.55, 0.15, 0.12, 0.05, 0.13)
HOUSEHOLDS = ("alleenstaand", "alleenstaande_ouder", "paar_zonder_kinderen", "paar_met_kinderen")
HOUSEHOLD_P = (0.46, 0.18, 0.16, 0.20)
INCOME = ("geen", "bijstand", "werk", "uitkering", "pensioen")
INCOME_BY_TEAM = {
    "bijstand_aanvragen": (0.55, 0.00, 0.22, 0.20, 0.03),
    "bijzondere_bijstand": (0.02, 0.58, 0.20, 0.10, 0.10),
    "wmo_meldingen": (0.01, 0.10, 0.20, 0.14, 0.55),
    "jeugdhulp": (0.03, 0.17, 0.62, 0.15, 0.03),
    "schuldhulp_aanmeldingen": (0.05, 0.40, 0.35, 0.17, 0.03),
    "omgevingsvergunningen": (0.00, 0.02, 0.80, 0.05, 0.13),
}
PROVISIONS = {
    "bijstand_aanvragen": ("levensonderhoud", "levensonderhoud_jongere", "ioaw_ioaz"),
    "bijzondere_bijstand": (
        "duurzame_gebruiksgoederen",
        "eigen_bijdrage_zorg",
        "woonkosten",
        "individuele_inkomenstoeslag",
    ),
    "wmo_meldingen": ("huishoudelijke_hulp", "hulpmiddel", "woningaanpassing", "begeleiding", "vervoer"),
    "jeugdhulp": ("ambulante_hulp", "dagbehandeling", "pleegzorg", "verblijf"),
    "schuldhulp_aanmeldingen": ("schuldregeling", "budgetbeheer", "crisisinterventie"),
    "omgevingsvergunningen": ("bouwen", "verbouwen", "kappen", "uitrit", "monument"),
}
PROVISION_EFFORT = {  # added to the latent effort score
    "ioaw_ioaz": -0.3,
    "levensonderhoud_jongere": 0.3,
    "eigen_bijdrage_zorg": -0.4,
    "individuele_inkomenstoeslag": -0.5,
    "woningaanpassing": 0.8,
    "begeleiding": 0.5,
    "vervoer": -0.4,
    "hulpmiddel": 0.0,
    "dagbehandeling": 0.5,
    "pleegzorg": 1.0,
    "verblijf": 1.2,
    "crisisinterventie": 1.0,
    "budgetbeheer": -0.3,
    "monument": 1.0,
    "kappen": -0.6,
    "uitrit": -0.5,
}
LANGUAGE_ASSISTANCE = {"nederland": 0.03, "europa": 0.20, "buiten_europa": 0.35}
EFFORT_NOISE_SD = 0.7
EFFORT_SHARES = (0.45, 0.38, 0.17)  # target shares of eenvoudig / gemiddeld / complex (true effort)
LABEL_BIAS_GROUP = "buiten_europa"  # historical labels carry a bias against this group ...
LABEL_BIAS_P = 0.30  # ... : this share of its non-complex cases is labelled one class up
HOURS_SIGMA = 0.35  # lognormal spread of handling hours around the norm
INTEGRATED_INTERCEPT = -3.3

# Planning ------------------------------------------------------------------------------
NORM_HOURS = {  # handling hours per case: eenvoudig, gemiddeld, complex
    "bijstand_aanvragen": (3.0, 7.0, 14.0),
    "bijzondere_bijstand": (1.0, 2.5, 5.0),
    "wmo_meldingen": (3.0, 6.0, 12.0),
    "jeugdhulp": (5.0, 10.0, 20.0),
    "schuldhulp_aanmeldingen": (2.0, 5.0, 10.0),
    "omgevingsvergunningen": (4.0, 10.0, 24.0),
    "meldingen_openbare_ruimte": (0.75,),
    "kcc_contacten": (0.12,),
}
PRODUCTIVE_HOURS_PER_FTE_WEEK = 25.0  # 36-hour week less leave, training, meetings and travel
STAFFING_MARGIN = 1.00  # formation sized at expected need
VACANCY_RATE = 0.15  # chance per team per quarter of a vacancy gap of 1 FTE
SUMMER_LEAVE = 0.15  # share of FTE on leave mid-July to mid-August
CHRISTMAS_LEAVE = 0.30  # share of FTE on leave in the last week of the year
PLANNED_WEEKS = 52  # future weeks of planned formation in staffing.csv
DURATION_SHAPE = 4.0  # gamma shape of handling duration in days
DURATION_SHARE_OF_TERM = 0.55  # mean duration of a 'gemiddeld' case, as share of the term
DURATION_EFFORT = (0.6, 1.0, 1.5)  # duration multiplier per effort class
