"""Generate a small, seeded demo NER corpus of resume-style documents.

Why: the project needs a corpus it can commit, train on quickly and
regenerate exactly, without copying any third-party dataset. Every name,
company, college and phone number below was invented for this project
(cities are real places, used only as locations).

What: each resume is built as lines of raw text with entity character spans
(NAME, EMAIL, PHONE, SKILL, COMPANY, DESIGNATION, DEGREE, COLLEGE, LOCATION),
tokenized with spaCy's English tokenizer and written as IOB2 `token<TAB>tag`
files (train/dev/test.tsv). Name, company and college pools are split so
dev/test mostly use values never seen in train, and no dev/test sentence
repeats a train sentence. The same --seed gives byte-identical files.
Templates keep every entity apart from punctuation the tokenizer would not
split off, and each span is checked against the tokens (`tag_line`).

Usage: python scripts/generate_demo_corpus.py assets/demo [--seed 0]
"""

from __future__ import annotations

import random
import string
import unicodedata
from collections import Counter
from pathlib import Path

import spacy
import typer
from spacy.language import Language
from wasabi import msg

from atomic import atomic_write_bytes

LABELS = ("NAME", "EMAIL", "PHONE", "SKILL", "COMPANY")
LABELS += ("DESIGNATION", "DEGREE", "COLLEGE", "LOCATION")
DOCSTART = "-DOCSTART-\tO"

Span = tuple[int, int, str]  # character offsets and label
Line = tuple[str, list[Span]]  # one line of a resume = one sentence
Field = tuple[str, str | None]  # a template slot's value and its label, if any
Role = tuple[str, str, int]  # designation, company, start year
Sentence = list[tuple[str, str]]  # (token, IOB2 tag)
Document = list[Sentence]


def _p(text: str) -> tuple[str, ...]:
    """Parse a ';'-separated pool literal (line breaks inside an item count as spaces)."""
    return tuple(" ".join(item.split()) for item in text.split(";") if item.strip())


def _lines(text: str) -> tuple[str, ...]:
    """Parse a template block, one template per line."""
    return tuple(line for line in text.splitlines() if line.strip())


# fmt: off
FIRST_NAMES = _p("""Aarav; Priya; Rohan; Ananya; Vikram; Meera; Arjun; Kavya; Siddharth; Nisha; Rahul; Divya; Karthik;
Lakshmi; Farhan; Zainab; Omar; Layla; Yusuf; Amira; Hassan; Noor; Wei; Mei; Jia; Xiaoling; Hao; Lin; Yuki; Haruto; Sakura;
Kenji; Aiko; Minjun; Seo-yeon; Jiho; Hyun; Chinedu; Ngozi; Emeka; Adaeze; Kwame; Ama; Kofi; Wanjiru; Otieno; Amani;
Thandiwe; Sipho; Lerato; Mateo; Valentina; Santiago; Camila; Diego; Lucía; Javier; Sofía; Joaquín; Isabela; Thiago;
Beatriz; João; Mariana; Luc; Chloé; Mathieu; Élodie; Antoine; Camille; Lukas; Hannah; Jonas; Lena; Felix; Greta; Björn;
Astrid; Lars; Ingrid; Søren; Freya; Piotr; Agnieszka; Tomasz; Katarzyna; Marco; Giulia; Luca; Francesca; Nikos; Eleni;
Dimitri; Sofia; Liam; Siobhan; Declan; Aoife; Ivan; Olga; Dmitri; Anastasia; Mehmet; Elif; Emre; Zeynep; Dariush; Shirin;
Reza; Parisa; Minh; Linh; Quang; Thao; Paolo; Maricel; Andrei; Ioana; Budi; Sari; Rizal; Dewi; Ethan; Grace; Noah; Olivia;
Marcus; Chloe; Daniel; Rachel; Samuel; Hazel; Owen; Ruby; Isaac; Naomi; Tariq; Salma; Kiran; Deepa; Anil; Sunita; Gaurav;
Pooja""")
LAST_NAMES = _p("""Sharma; Iyer; Reddy; Nair; Menon; Kulkarni; Deshpande; Banerjee; Chatterjee; Gupta; Patel; Mehta;
Joshi; Rao; Pillai; Qureshi; Siddiqui; Haddad; Al-Masri; Khalil; Rahman; Farouk; Mansour; Chen; Wang; Liu; Zhang; Huang;
Zhou; Tanaka; Sato; Nakamura; Kobayashi; Watanabe; Kim; Park; Choi; Jung; Okafor; Adeyemi; Nwosu; Eze; Mensah; Owusu;
Boateng; Kamau; Odhiambo; Mwangi; Ndlovu; Dlamini; Mokoena; García; Rodríguez; Fernández; López; Martínez; Gómez; Herrera;
Castillo; Vargas; Silva; Santos; Oliveira; Costa; Pereira; Dubois; Lefèvre; Moreau; Girard; Laurent; Fontaine; Müller;
Schneider; Becker; Hoffmann; Wagner; Vogel; Lindqvist; Johansson; Andersen; Nielsen; Halvorsen; Kowalski; Nowak;
Wiśniewska; Zieliński; Rossi; Bianchi; Romano; Ferrari; Esposito; Papadopoulos; Georgiou; O'Brien; Murphy; Gallagher;
Byrne; Petrov; Ivanova; Sokolov; Volkova; Yılmaz; Demir; Kaya; Şahin; Hosseini; Karimi; Tehrani; Nguyen; Tran; Pham; Le;
Reyes; Dela Cruz; Bautista; Popescu; Ionescu; Santoso; Wijaya; Hartono; Thompson; Bennett; Carter; Hughes; Mitchell;
Foster; Brooks; Hayes; Coleman; Sullivan; Van der Berg; De Souza; Fitzgerald; Abernathy; Whitfield; Okonkwo; Achterberg;
Bose; Kapoor; Malhotra; Verma; Saxena; Bhatt""")
COMPANIES = _p("""Northwind Analytics; Bluepeak Systems; Tarang Fintech; Kestrel Health; Ironbark Motors; Lumen & Vale
Partners; Quillstone Software; Harbourline Logistics; Saffron Labs; Cobalt Ridge Capital; Meridian Care Group; Brightwater
Media; Pinecrest Dynamics; Orbitra Technologies; Vantara Retail; Solvent Bay Energy; Copperleaf Consulting; Nimbus Forge;
Redwood Circuit; Aurelia Bank; Silverline Insurance; Greenfield Agritech; Halcyon Pharma; Stratus Cloudworks; Mosaic
Digital; Ferncliff Manufacturing; Tidewater Analytics; Kairo Mobility; Pallas Robotics; Juniper & Hale; Zephyr Payments;
Marlowe Advisory; Cinder Labs; Oakhurst Healthcare; Polaris Freight; Vireo Biotech; Castellan Security; Evergreen Foods;
Lighthouse Learning; Sundial Ventures; Granite Peak Engineering; Blue Lotus Hospitality; Nexora Telecom; Arcadia Health
Systems; Hollow Oak Studios; Quantia Research; Riverstone Textiles; Skybridge Aerospace; Trellis Commerce; Umbra Networks;
Verdant Energy Solutions; Willowmere Clinic; Xylo Semiconductors; Yellowfin Data; Zenith Auto Components; Alderbrook Private
Limited; Bharat Nexus Infotech; Crescent Valley Pharmaceuticals; Deccan Gridworks; Everest Micro Systems; Fjordline Shipping;
Gaia Renewables; Helix Diagnostics; Indus Crest Finance; Jasper & Finch; Kinetic Orbit; Lantern Health; Monsoon Analytics;
Novalis Insurance; Opaline Cosmetics; Prairie Wind Farms; Quorum Legal Tech; Rivulet Software; Sable Creek Mining; Tundra
Cold Chain; Urbanic Realty; Valkyrie Games; Wavecrest Telecom; Axiom Ledger; Borealis Medical; Caspian Trade Links;
Driftwood Apparel; Emberline Foods; Foxglove Pharma; Glasswing Design; Hearthstone Homes; Ivory Tower Consulting; Jadeport
Electronics; Kovalam Steelworks; Lodestar Fintech; Mistral Aviation; Northgate Pumpenwerk; Oriel Learning; Parallax Vision;
Quarry Hill Cement; Ravenscroft & Sons; Starling Biosciences; Tessellate AI; Uplift Mobility; Vesper Labs; Waypoint
Logistics LLC; Yarrow Health""")
COLLEGES = _p("""Northfield University; Riverbend Institute of Technology; Westbrook State University; Harlow College of
Engineering; University of East Marsh; St. Alder College; Kaveri Institute of Technology; Lakeshore Polytechnic; Greystone
University; Meadowvale College of Commerce; Pinehurst School of Business; Southbank Medical College; Ashford Technical
University; Coral Coast University; Deccan Plateau University; Eastwood College of Nursing; Fairhaven University; Glenmoor
Institute of Management; Highland Valley University; Ironwood College; Jadeshore University; Kingsbridge School of
Economics; Larchmont Institute of Design; Mapleton University; Netherby College of Science; Oldcastle University; Parkside
Institute of Engineering; Queensgate University; Rosewood College; Silver Lake University; Thornbury Institute of
Technology; Upland State College; Vale of Avon University; Windermere School of Medicine; Yarra Bend University; Zenmark
Institute of Technology; Amberley College of Pharmacy; Bayview University; Cedar Hollow University; Dunmore Business School;
Elmsworth College; Foxhall University; Granary Hill Institute; Hillcrest University of Applied Sciences; Indrapuri College
of Engineering; Juniper Heights University; Kestrel Bay Polytechnic; Lotus Valley Institute of Science; Marigold
University; New Harbour University; Orchard Park College; Sarang Institute of Management; Tamarind University; Unity
College of Engineering; Vindhya Technical University; Whitestone Medical College""")
LOCATIONS = _p("""Pune, India; Bengaluru; Bangalore, Karnataka; Hyderabad; Chennai, India; Mumbai; New Delhi; Gurugram,
Haryana; Kochi, Kerala; Austin, TX; San Francisco, CA; Seattle, WA; New York, NY; Chicago, IL; Boston, MA; Denver, CO;
Atlanta, GA; Raleigh, NC; Toronto, Ontario; Vancouver, BC; Montreal; London; Manchester, UK; Edinburgh; Dublin, Ireland;
Berlin; Munich, Germany; Hamburg; Amsterdam; Rotterdam, Netherlands; Paris, France; Lyon; Madrid, Spain; Barcelona;
Lisbon; Milan, Italy; Zurich, Switzerland; Stockholm; Copenhagen, Denmark; Oslo; Warsaw, Poland; Prague; Vienna, Austria;
Istanbul; Dubai, UAE; Abu Dhabi; Riyadh, Saudi Arabia; Doha, Qatar; Cairo, Egypt; Lagos, Nigeria; Nairobi, Kenya; Accra,
Ghana; Johannesburg, South Africa; Cape Town; Singapore; Kuala Lumpur, Malaysia; Jakarta, Indonesia; Manila, Philippines;
Ho Chi Minh City, Vietnam; Bangkok; Tokyo, Japan; Osaka; Seoul, South Korea; Shanghai, China; Shenzhen; Taipei; Sydney,
NSW; Melbourne, Australia; Auckland, New Zealand; São Paulo, Brazil; Mexico City; Buenos Aires, Argentina; Bogotá,
Colombia; Santiago, Chile; Lima, Peru""")
GENERIC_SKILLS = _p("""communication; team leadership; problem solving; public speaking; Microsoft Excel; project
management; mentoring; Git; time management; cross-functional collaboration; presentation skills""")
DOMAINS = {
    "software": {
        "designation": _p("""Software Engineer; Senior Software Engineer; Backend Developer; Frontend Developer; Full Stack
        Developer; DevOps Engineer; Site Reliability Engineer; Mobile App Developer; QA Automation Engineer; Engineering
        Manager; Technical Lead; Cloud Architect"""),
        "skill": _p("""Python; Java; Go; TypeScript; JavaScript; React; Angular; Vue.js; Node.js; Django; Flask; Spring Boot;
        Kubernetes; Docker; Terraform; AWS; Azure; Google Cloud; PostgreSQL; MongoDB; Redis; Kafka; GraphQL; REST API
        design; microservices; CI/CD; Jenkins; GitHub Actions; Linux; C++; C#; .NET; Rust; Kotlin; Swift; unit testing;
        system design"""),
        "degree": _p("""B.Tech in Computer Science; BE Computer Engineering; BSc Computer Science; M.Tech in Software
        Engineering; Master of Computer Applications; MS in Computer Science"""),
        "obj": _p("""a payments service; internal developer tooling; the checkout API; a customer-facing web app; the release
        pipeline; an event-driven order system; the authentication service; a mobile banking app"""),
        "metric": _p("p95 latency; deployment time; cloud spend; crash rate; build time"),
        "team": _p("product; design; security; support"),
    },
    "data": {
        "designation": _p("""Data Analyst; Senior Data Analyst; Data Scientist; Machine Learning Engineer; Data Engineer;
        Analytics Manager; Business Intelligence Developer; NLP Engineer; Research Scientist; Analytics Engineer"""),
        "skill": _p("""SQL; machine learning; deep learning; pandas; NumPy; scikit-learn; PyTorch; TensorFlow; Spark;
        Airflow; dbt; Snowflake; BigQuery; Tableau; Power BI; Looker; RStudio; statistics; A/B testing; natural language
        processing; computer vision; time series forecasting; data visualization; feature engineering; Hadoop; MLflow;
        Excel"""),
        "degree": _p("""MSc Data Science; MS in Statistics; B.Sc. in Mathematics; Master of Science in Business Analytics;
        BSc Statistics; PhD in Machine Learning"""),
        "obj": _p("""churn prediction models; ETL pipelines; executive dashboards; a recommendation engine; demand
        forecasts; a customer segmentation study; the feature store; fraud detection models"""),
        "metric": _p("report turnaround time; forecast error; query costs; false positive rate; data latency"),
        "team": _p("marketing; finance; product; operations"),
    },
    "finance": {
        "designation": _p("""Financial Analyst; Senior Accountant; Investment Banking Associate; Credit Risk Analyst;
        Finance Manager; Chartered Accountant; Equity Research Analyst; Treasury Analyst; Internal Auditor; Portfolio
        Manager; FP&A Manager"""),
        "skill": _p("""financial modelling; valuation; budgeting; forecasting; variance analysis; IFRS; US GAAP; SAP FICO;
        Tally; QuickBooks; Bloomberg Terminal; risk management; credit analysis; DCF analysis; Excel; VBA; financial
        reporting; accounts payable; reconciliation; tax compliance; Oracle Financials; audit"""),
        "degree": _p("""Bachelor of Commerce; B.Com in Accounting; Master of Business Administration; MBA in Finance; MSc
        Finance; BBA in Finance"""),
        "obj": _p("""quarterly forecasts; valuation models; the month-end close; board reporting packs; the annual budget;
        credit memos; vendor payment runs; audit workpapers"""),
        "metric": _p("close time; forecast variance; days sales outstanding; reconciliation backlog; audit findings"),
        "team": _p("treasury; tax; sales; procurement"),
    },
    "healthcare": {
        "designation": _p("""Registered Nurse; Clinical Research Coordinator; Staff Nurse; Physiotherapist; Medical
        Laboratory Technologist; Healthcare Administrator; Pharmacist; Clinical Data Manager; Public Health Officer;
        Nurse Practitioner"""),
        "skill": _p("""patient care; electronic health records; Epic; Cerner; clinical trials; GCP; phlebotomy; ICU care;
        medication administration; BLS; ACLS; infection control; pharmacovigilance; medical coding; ICD-10; HIPAA
        compliance; wound care; triage; REDCap; SAS; epidemiology; health informatics"""),
        "degree": _p("""Bachelor of Science in Nursing; BSc Nursing; Master of Public Health; Doctor of Pharmacy; BPharm;
        MSc Clinical Research; Bachelor of Physiotherapy"""),
        "obj": _p("""patient intake workflows; clinical trial data; discharge planning; a vaccination drive; shift handover
        notes; the medication reconciliation process; outpatient scheduling; adverse event reports"""),
        "metric": _p("readmission rates; patient wait times; documentation errors; no-show rates; lab turnaround time"),
        "team": _p("pharmacy; radiology; nursing; quality"),
    },
    "marketing": {
        "designation": _p("""Marketing Manager; Digital Marketing Specialist; SEO Specialist; Content Strategist; Brand
        Manager; Growth Marketer; Social Media Manager; Product Marketing Manager; Marketing Analyst; Performance
        Marketing Lead"""),
        "skill": _p("""SEO; SEM; Google Ads; Google Analytics; HubSpot; Salesforce; content marketing; email marketing;
        copywriting; social media marketing; Meta Ads; market research; brand strategy; marketing automation; Mailchimp;
        Canva; Adobe Photoshop; conversion rate optimization; influencer marketing; campaign management; Marketo;
        SEMrush"""),
        "degree": _p("""BBA in Marketing; MBA in Marketing; Bachelor of Mass Media; MA in Communication; PG Diploma in
        Digital Marketing"""),
        "obj": _p("""paid search campaigns; email nurture programs; a brand refresh; the product launch; a loyalty
        programme; landing pages; the content calendar; a webinar series"""),
        "metric": _p("cost per lead; conversion rate; bounce rate; customer acquisition cost; email open rate"),
        "team": _p("sales; product; design; customer success"),
    },
    "mechanical": {
        "designation": _p("""Mechanical Engineer; Design Engineer; Production Engineer; Quality Engineer; Maintenance
        Engineer; Manufacturing Engineer; Project Engineer; CAE Analyst; HVAC Engineer; Plant Manager"""),
        "skill": _p("""AutoCAD; SolidWorks; CATIA; ANSYS; Creo; geometric dimensioning and tolerancing; finite element analysis; computational fluid
        dynamics; lean manufacturing; Six Sigma; root cause analysis; PLC programming; MATLAB; HVAC design; CNC
        machining; sheet metal design; FMEA; 5S audits; Kaizen; preventive maintenance; ISO 9001; thermal analysis; tolerance
        stack-up"""),
        "degree": _p("""BE Mechanical Engineering; B.Tech in Mechanical Engineering; M.Tech in Thermal Engineering; MSc
        Mechanical Engineering; Diploma in Mechanical Engineering; ME in Machine Design"""),
        "obj": _p("""gearbox housings; HVAC test rigs; injection-moulded parts; the assembly line; a conveyor retrofit;
        pump impellers; welding fixtures; the spare parts inventory"""),
        "metric": _p("scrap rate; cycle time; unplanned downtime; warranty claims; energy consumption"),
        "team": _p("procurement; production; quality; supplier development"),
    },
    "operations": {
        "designation": _p("""Operations Manager; Supply Chain Analyst; Logistics Coordinator; Procurement Specialist; HR
        Business Partner; Talent Acquisition Specialist; Project Manager; Business Analyst; Program Manager; Customer
        Success Manager"""),
        "skill": _p("""supply chain management; inventory management; vendor management; SAP MM; procurement; logistics
        planning; demand planning; Jira; Confluence; Agile; Scrum; stakeholder management; process improvement;
        Workday; recruitment; onboarding; payroll; employee relations; negotiation; Microsoft Project; PMP; data
        analysis"""),
        "degree": _p("""Bachelor of Business Administration; MBA in Operations Management; PGDM in Human Resources; MSc
        Supply Chain Management; BA in Psychology"""),
        "obj": _p("""the vendor onboarding process; warehouse operations; quarterly hiring plans; a new ERP rollout;
        shipment tracking; the employee onboarding programme; contract renewals; the sprint planning process"""),
        "metric": _p("lead time; stockouts; time to hire; attrition; freight costs"),
        "team": _p("finance; warehouse; leadership; IT"),
    },
}
EMAIL_DOMAINS = _p("gmail.com; outlook.com; yahoo.com; hotmail.com; proton.me; icloud.com; yahoo.co.in; mail.com; gmx.de; zoho.com; fastmail.com")
ADJECTIVES = _p("Results-driven; Detail-oriented; Motivated; Hands-on; Self-driven; Curious; Pragmatic; Seasoned")
NAME_T = _lines("""
{name}
Name: {name}
{name} | {des}
{name}, {des}
{name} — {des}
Resume - {name}
Curriculum Vitae: {name}
{name} ({des})""")
CONTACT_T = _lines("""
Email: {email} | Phone: {phone} | {loc}
{email} · {phone} · {loc}
{loc} | {phone} | {email}
E: {email} / M: {phone} / {loc}
Mobile - {phone} ; Mail - {email} ; Based in {loc}
Contact: {phone}, {email}, {loc}
{phone} | {email} | {link} | {loc}
Phone {phone} Email {email} Address {loc}
{email} | {link} | {phone} | Location: {loc}""")
SUMMARY_T = _lines("""
{des} with {n} years of experience in {s1} and {s2}.
{adj} {des} experienced in {s1}, {s2} and {s3}.
Summary: {des} who has spent {n}+ years working with {s1} and {s2} for {team} teams.
Profile - {n} years as {a} {des}, currently focused on {s1} and {s2}.
Seeking {a} {des} role where I can apply {s1} and {s2}.
{adj} {des} based in {loc}, skilled in {s1}, {s2} and {s3}.
{n}+ years of hands-on {s1} and {s2} experience, most recently as {des} at {comp}.
Objective: to grow as {a} {des} by applying {s1} and {s2} in a fast-moving team.""")
EXPERIENCE_T = _lines("""
{des} at {comp}, {loc} ({dates})
{des} | {comp} | {loc} | {dates}
{dates}: {des}, {comp}, {loc}
{comp} - {des} ({dates})
Worked as {des} at {comp} in {loc} from {start} to {end}
{des}, {comp} ({loc}) {dates}
{comp}, {loc} — {des}, {dates}
Joined {comp} ({loc}) as {des} in {start}
Position: {des} · Employer: {comp} · {dates}
{des} — {comp}, {loc} · {dates}""")
BULLET_T = _lines("""
Built {obj} using {s1} and {s2}.
Led a team of {n} to deliver {obj} with {s1}.
Reduced {metric} by {pct}% by introducing {s1}.
Migrated {obj} to {s1}, working closely with the {team} team.
Used {s1}, {s2} and {s3} to improve {obj}.
Owned {obj}; day-to-day tools included {s1} and {s2}.
Automated {obj} with {s1}, saving about {n} hours per week.
Improved {metric} by {pct}% through {s1} and {s2}.
Mentored {n} junior colleagues in {s1} and {s2}.
Partnered with the {team} team to roll out {obj} using {s1}.
Redesigned {obj}, cutting {metric} by {pct}% ({s1}, {s2}).
Presented results on {obj} to senior leadership using {s1}.""")
EDUCATION_T = _lines("""
{deg}, {col}, {year}
{deg} - {col} ({y1} - {year})
{deg} from {col}, graduated {year}
{col} | {deg} | {year}
Completed {deg} at {col} in {year} with {grade}
{year}: {deg}, {col}, {loc}
{deg} ({year}) - {col}, {loc}
{col}, {loc} — {deg}, class of {year}""")
EXPERIENCE_H = _p("Experience:; Work Experience -; Professional Experience |; Employment History:; Career:")
EDUCATION_H = _p("Education:; Education -; Academic Background |; Qualifications:; Education & Training:")
SKILLS_H = _p("Skills:; Technical Skills -; Core competencies:; Tools & technologies:; Key skills —; Skills |; Areas of expertise:")
SKILL_SEPARATORS = (", ", " | ", " · ", "; ", " / ")
BULLETS = ("", "- ", "• ", "* ", "– ")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")
# Per pool: (fraction held out of train, chance that dev/test draw from the held-out part).
HOLDOUT = {"first": (0.35, 0.85), "last": (0.35, 0.85), "company": (0.35, 0.85), "college": (0.35, 0.85)}
DEFAULT_HOLDOUT = (0.2, 0.3)
# fmt: on


def all_pools() -> dict[str, tuple[str, ...]]:
    """Every entity value pool, keyed by kind (and domain, where it has one)."""
    pools = {"first": FIRST_NAMES, "last": LAST_NAMES, "company": COMPANIES}
    pools |= {
        "college": COLLEGES,
        "location": LOCATIONS,
        "skill:generic": GENERIC_SKILLS,
    }
    for domain, fields in DOMAINS.items():
        for kind in ("designation", "skill", "degree"):
            pools[f"{kind}:{domain}"] = fields[kind]
    return pools


class Picker:
    """Draws pool values; for dev/test, mostly values that train never sees."""

    def __init__(self, rng: random.Random, seed: int, held_out: bool) -> None:
        self.rng, self.held_out = rng, held_out
        self.parts: dict[str, tuple[list[str], list[str], float]] = {}
        split_rng = random.Random(seed)  # the same pool split for train, dev and test
        for key, values in all_pools().items():
            fraction, chance = HOLDOUT.get(key, DEFAULT_HOLDOUT)
            shuffled = sorted(set(values))
            split_rng.shuffle(shuffled)
            n_held = max(1, round(len(shuffled) * fraction))
            self.parts[key] = (shuffled[n_held:], shuffled[:n_held], chance)

    def __call__(self, key: str) -> str:
        train, held, chance = self.parts[key]
        use_held = self.held_out and self.rng.random() < chance
        return self.rng.choice(held if use_held else train)

    def distinct(self, key: str, n: int) -> list[str]:
        values: list[str] = []
        while len(values) < n:
            value = self(key)
            if value not in values:
                values.append(value)
        return values


def render(template: str, fields: dict[str, Field]) -> Line:
    """Fill `{field}` slots, recording a character span for each labelled value."""
    text, spans = "", []
    for literal, name, _, _ in string.Formatter().parse(template):
        text += literal
        if name is not None:
            value, label = fields[name]
            if label:
                spans.append((len(text), len(text) + len(value), label))
            text += value
    return text, spans


def article(phrase: str) -> str:
    """'a' or 'an' before `phrase` (acronyms by the sound of their first letter)."""
    first = phrase.split()[0]
    if first.isupper() and len(first) > 1:
        return "an" if first[0] in "AEFHILMNORSX" else "a"
    return "an" if first[0].lower() in "aeiou" else "a"


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in plain.lower() if ch.isalnum())


def make_email(rng: random.Random, first: str, last: str) -> str:
    given, family = slug(first), slug(last)
    n = rng.randint(1, 99)
    users = [
        f"{given}.{family}",
        f"{given}{family}",
        f"{given[0]}.{family}",
        f"{given}_{family}",
        f"{given}.{family}{n}",
    ]
    users += [
        f"{family}.{given}",
        f"{given}{family[0]}",
        f"{given}{n}",
        f"{given[0]}{family}",
    ]
    domains = (*EMAIL_DOMAINS, f"{family}.dev", f"{given}{family}.me")
    return f"{rng.choice(users)}@{rng.choice(domains)}"


def make_phone(rng: random.Random) -> str:
    """A phone number in one of many national formats (555 and 7946 ranges are fictional)."""
    d = "".join(str(rng.randint(0, 9)) for _ in range(9))
    a, m = rng.randint(201, 989), rng.choice("6789")
    formats = (
        f"+1 {a} 555 {d[:4]}", f"({a}) 555-{d[:4]}", f"{a}-555-{d[:4]}", f"{a}.555.{d[:4]}",
        f"+44 20 7946 {d[:4]}", f"+44 7700 900{d[:3]}", f"{m}{d[:4]} {d[4:]}",
        f"+91 {m}{d[:4]} {d[4:]}", f"+91-{m}{d}", f"+49 30 {d[:4]} {d[4:8]}",
        f"+61 4{d[:2]} {d[2:5]} {d[5:8]}", f"+65 {d[:4]} {d[4:8]}", f"+971 50 {d[:3]} {d[3:7]}",
    )  # fmt: skip
    return rng.choice(formats)


def make_date(rng: random.Random, style: int, year: int) -> str:
    number = rng.randint(1, 12)
    month = MONTHS[number - 1]
    dates = (f"{month[:3]} {year}", f"{month} {year}", f"{number:02d}/{year}")
    return (*dates, str(year))[style]


class Resume:
    """The lines of one invented resume in one domain; `build()` puts them in order."""

    def __init__(self, pick: Picker) -> None:
        self.pick, self.rng = pick, pick.rng
        self.domain = self.rng.choice(sorted(DOMAINS))
        self.first, self.last = pick("first"), pick("last")
        self.location = pick("location")
        self.bullet = self.rng.choice(BULLETS)
        self.date_style = self.rng.randrange(4)

    def fields(self, **extra: Field) -> dict[str, Field]:
        """Slot values any template may use: skills, filler phrases, numbers."""
        rng, words = self.rng, DOMAINS[self.domain]
        skills = self.pick.distinct(f"skill:{self.domain}", 3)
        fields: dict[str, Field] = {
            f"s{i + 1}": (s, "SKILL") for i, s in enumerate(skills)
        }
        fields["loc"] = (self.location, "LOCATION")
        for kind in ("obj", "metric", "team"):
            fields[kind] = (rng.choice(words[kind]), None)
        fields["n"] = (str(rng.randint(2, 12)), None)
        fields["pct"] = (str(rng.randint(8, 60)), None)
        fields["adj"] = (rng.choice(ADJECTIVES), None)
        return fields | extra

    def header(self, title: str) -> list[Line]:
        rng, first, last = self.rng, self.first, self.last
        name = f"{first} {rng.choice(string.ascii_uppercase)}. {last}"
        name = name if rng.random() < 0.15 else f"{first} {last}"
        name = name.upper() if rng.random() < 0.2 else name
        link = f"linkedin.com/in/{slug(first)}-{slug(last)}"
        link += rng.choice(("", f"-{rng.randint(1, 99)}"))
        contact = self.fields(
            email=(make_email(rng, first, last), "EMAIL"),
            phone=(make_phone(rng), "PHONE"),
            link=(link, None),
        )
        name_fields = {"name": (name, "NAME"), "des": (title, "DESIGNATION")}
        return [
            render(rng.choice(NAME_T), name_fields),
            render(rng.choice(CONTACT_T), contact),
        ]

    def summary(self, title: str, company: str) -> list[Line]:
        fields = self.fields(
            des=(title, "DESIGNATION"),
            a=(article(title), None),
            comp=(company, "COMPANY"),
        )
        return [render(self.rng.choice(SUMMARY_T), fields)]

    def roles(self) -> list[Role]:
        """(designation, company, start year) of each job, newest first."""
        roles: list[Role] = []
        year = 2025
        for _ in range(self.rng.choice((1, 1, 2, 2, 2, 3, 3, 4))):
            year -= self.rng.randint(1, 5)
            company = self.pick("company")
            roles.append((self.pick(f"designation:{self.domain}"), company, year))
        return roles

    def experience(self, roles: list[Role]) -> list[Line]:
        rng, lines = self.rng, []
        sep = rng.choice((" - ", " – ", " to "))
        present = rng.choice(("Present", "present", "Current", "Today"))
        prefix = self.section_prefix(EXPERIENCE_H)
        end = present  # a role ends in the month the newer one starts
        for i, (title, company, start_year) in enumerate(roles):
            start = make_date(rng, self.date_style, start_year)
            moved = i > 0 and rng.random() < 0.5
            location = self.pick("location") if moved else self.location
            fields = self.fields(
                des=(title, "DESIGNATION"),
                comp=(company, "COMPANY"),
                loc=(location, "LOCATION"),
                dates=(f"{start}{sep}{end}", None),
                start=(start, None),
                end=(end, None),
            )
            template = (prefix if i == 0 else "") + rng.choice(EXPERIENCE_T)
            lines.append(render(template, fields))
            for _ in range(rng.choice((1, 1, 2))):
                lines.append(render(self.bullet + rng.choice(BULLET_T), self.fields()))
            end = start
        return lines

    def education(self, first_job: int) -> list[Line]:
        rng, lines = self.rng, []
        prefix = self.section_prefix(EDUCATION_H)
        degrees = self.pick.distinct(f"degree:{self.domain}", rng.choice((1, 1, 1, 2)))
        for i, degree in enumerate(degrees):
            year = first_job - rng.randint(0, 1) - 2 * i
            grades = (
                f"CGPA {rng.randint(60, 98) / 10}/10",
                f"GPA {rng.randint(28, 40) / 10}/4.0",
                "First Class with Distinction",
                f"{rng.randint(60, 95)}%",
            )
            fields: dict[str, Field] = {
                "deg": (degree, "DEGREE"),
                "col": (self.pick("college"), "COLLEGE"),
                "loc": (self.pick("location"), "LOCATION"),
                "year": (str(year), None),
                "y1": (str(year - rng.choice((2, 3, 4))), None),
                "grade": (rng.choice(grades), None),
            }
            template = (prefix if i == 0 else "") + rng.choice(EDUCATION_T)
            lines.append(render(template, fields))
        return lines

    def skills(self) -> list[Line]:
        rng = self.rng
        names = self.pick.distinct(f"skill:{self.domain}", rng.randint(3, 7))
        names += self.pick.distinct("skill:generic", rng.choice((0, 0, 1, 2)))
        sep = rng.choice(SKILL_SEPARATORS)
        slots = [f"{{s{i}}}" for i in range(len(names))]
        body = sep.join(slots)
        if sep == ", " and rng.random() < 0.4:
            body = ", ".join(slots[:-1]) + " and " + slots[-1]
        header = rng.choice(SKILLS_H) + " " if rng.random() < 0.9 else ""
        header = header.upper() if rng.random() < 0.3 else header
        fields = {f"s{i}": (skill, "SKILL") for i, skill in enumerate(names)}
        return [render(header + body, fields)]

    def section_prefix(self, headers: tuple[str, ...]) -> str:
        """A section header folded into the section's first line, or nothing."""
        if self.rng.random() < 0.35:
            return ""
        header = self.rng.choice(headers) + " "
        return header.upper() if self.rng.random() < 0.3 else header

    def build(self) -> list[Line]:
        roles = self.roles()
        title, company = roles[0][0], roles[0][1]
        sections = [self.experience(roles), self.education(roles[-1][2]), self.skills()]
        self.rng.shuffle(sections)
        lines = self.header(title)
        if self.rng.random() < 0.6:
            lines += self.summary(title, company)
        return lines + [line for section in sections for line in section]


def tag_line(nlp: Language, line: Line) -> Sentence:
    """Tokenize one line and turn its character spans into IOB2 tags."""
    text, spans = line
    doc = nlp.make_doc(text)
    tags = ["O"] * len(doc)
    for start, end, label in spans:
        span = doc.char_span(start, end)
        if span is None:
            raise ValueError(f"{label} {text[start:end]!r} splits a token of {text!r}")
        tags[span.start : span.end] = [f"B-{label}"] + [f"I-{label}"] * (len(span) - 1)
    if any(token.is_space or "\t" in token.text for token in doc):
        raise ValueError(f"whitespace token in {text!r}")
    return [(token.text, tag) for token, tag in zip(doc, tags, strict=True)]


def words(sentence: Sentence) -> tuple[str, ...]:
    return tuple(token for token, _ in sentence)


def generate_split(
    nlp: Language, pick: Picker, n_docs: int, forbidden: set[tuple[str, ...]]
) -> list[Document]:
    """Generate documents, regenerating any that repeats a forbidden sentence."""
    docs: list[Document] = []
    while len(docs) < n_docs:
        doc = [tag_line(nlp, line) for line in Resume(pick).build()]
        if not any(words(sentence) in forbidden for sentence in doc):
            docs.append(doc)
    return docs


def generate_corpus(
    seed: int = 0, n_train: int = 160, n_dev: int = 40, n_test: int = 40
) -> dict[str, list[Document]]:
    """Train, dev and test documents; dev/test never repeat a train sentence."""
    nlp = spacy.blank("en")
    pick = Picker(random.Random(f"train:{seed}"), seed, held_out=False)
    train = generate_split(nlp, pick, n_train, set())
    corpus = {"train": train}
    seen = {words(sentence) for doc in train for sentence in doc}
    for split, n_docs in (("dev", n_dev), ("test", n_test)):
        pick = Picker(random.Random(f"{split}:{seed}"), seed, held_out=True)
        corpus[split] = generate_split(nlp, pick, n_docs, seen)
    return corpus


def to_tsv(docs: list[Document]) -> str:
    """`token<TAB>tag` lines; a blank line after the DOCSTART line and each sentence
    except the last, which ends the file with a single newline."""
    blocks = []
    for doc in docs:
        blocks.append(DOCSTART)
        blocks += ["\n".join(f"{token}\t{tag}" for token, tag in s) for s in doc]
    return "\n\n".join(blocks) + "\n"


def summarize(corpus: dict[str, list[Document]]) -> None:
    rows = []
    for split, docs in corpus.items():
        tags = [tag for doc in docs for sentence in doc for _, tag in sentence]
        counts = Counter(tag[2:] for tag in tags if tag.startswith("B-"))
        per_doc = round(len(tags) / max(1, len(docs)), 1)
        rows.append(
            (split, len(docs), len(tags), per_doc, *(counts[x] for x in LABELS))
        )
    header = ("split", "docs", "tokens", "tok/doc", *LABELS)
    msg.table(rows, header=header, divider=True)


def main(
    output_dir: Path,
    seed: int = 0,
    n_train: int = 160,
    n_dev: int = 40,
    n_test: int = 40,
) -> None:
    """Write train.tsv, dev.tsv and test.tsv (IOB2, token<TAB>tag) into OUTPUT_DIR."""
    corpus = generate_corpus(seed, n_train, n_dev, n_test)
    for split, docs in corpus.items():
        atomic_write_bytes(output_dir / f"{split}.tsv", to_tsv(docs).encode("utf-8"))
    msg.good(f"Wrote the demo corpus (seed {seed}) to {output_dir}")
    summarize(corpus)


if __name__ == "__main__":
    typer.run(main)
