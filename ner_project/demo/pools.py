"""Value pools and line templates of the demo resume corpus.

Every name, company, college and phone prefix here was invented for this project;
cities are real places, used only as locations. Kept apart from
generate_demo_corpus.py so that the generator's logic reads on one screen.
"""


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
