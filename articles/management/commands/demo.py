"""
`manage.py demo`: load a demo newsroom (sections, agencies, authors, about sixty stories with pictures, editors'
pinned related stories and front slots, a day of reader counts for Trending and, with DEBUG on, demo accounts) so the
site and the admin have something realistic to show.

Idempotent: everything is keyed on slugs and usernames, so running it again updates rows in place and creates no
duplicates. Choices come from a seeded random generator and times are counted back from the current hour, so a
rerun produces the same newsroom (shifted only if the hour has changed).
"""

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from articles.images.renditions import generate_renditions
from articles.management.demo_pictures import PICTURES, draw
from articles.models import Agency, Article, Author, Byline, FrontSlot, Image, RelatedPin, Topic
from articles.related import deferred_refresh
from articles.roles import EDITORS, JOURNALISTS
from articles.trending import seed_views
from sections.models import Section

SEED = 20260905

# --- Sections -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionSpec:
    name: str
    slug: str
    description: str
    parent: str | None = None


# In navigation order; subsections follow their parent.
SECTIONS = (
    SectionSpec("World", "world", "News from around the globe, with our correspondents and the wire services."),
    SectionSpec("Europe", "europe", "Politics, diplomacy and daily life across Europe.", parent="world"),
    SectionSpec("Middle East", "middle-east", "Conflict, diplomacy and change across the region.", parent="world"),
    SectionSpec("Asia", "asia", "From Tokyo to New Delhi: the stories shaping Asia.", parent="world"),
    SectionSpec("Economy", "economy", "Growth, inflation, interest rates and the cost of living."),
    SectionSpec("Business", "business", "Companies, markets and the people who run them."),
    SectionSpec("Politics", "politics", "Governments, parliaments and the campaigns to lead them."),
    SectionSpec("Opinion", "opinion", "Comment and analysis from our columnists and guest writers."),
    SectionSpec("Technology", "technology", "Artificial intelligence, the internet and the companies behind them."),
    SectionSpec("Science", "science", "Discoveries, research and space exploration."),
    SectionSpec("Health", "health", "Medicine, public health and the health services we rely on."),
    SectionSpec("Environment", "environment", "Climate change, energy and the natural world."),
    SectionSpec("Sport", "sport", "Football, athletics and the rest of the sporting week."),
    SectionSpec("Culture", "culture", "Film, music, books and the arts."),
)

# --- Agencies and authors -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgencySpec:
    name: str
    short_name: str
    slug: str
    website: str = ""


AGENCIES = (
    # The catch-all credit for copy compiled from several wires ("By Agencies").
    AgencySpec("Agencies", "Agencies", "agencies"),
    AgencySpec("Agence France-Presse", "AFP", "afp", "https://www.afp.com/"),
    AgencySpec("Reuters", "Reuters", "reuters", "https://www.reuters.com/"),
    AgencySpec("Al Jazeera", "Al Jazeera", "al-jazeera", "https://www.aljazeera.com/"),
    AgencySpec("Associated Press", "AP", "ap", "https://apnews.com/"),
)
# The wires a story may be credited to alongside a staff author.
WIRES = ("afp", "reuters", "al-jazeera", "ap")


@dataclass(frozen=True)
class AuthorSpec:
    name: str
    slug: str
    bio: str
    desks: frozenset[str]


AUTHORS = (
    AuthorSpec(
        "Nadia Rahman",
        "nadia-rahman",
        "Diplomatic correspondent covering Europe and the Middle East. Previously reported from Beirut and Brussels.",
        frozenset({"world", "opinion"}),
    ),
    AuthorSpec(
        "Tom Whitaker",
        "tom-whitaker",
        "Economics editor. Writes about central banks, public finances and the cost of living.",
        frozenset({"economy", "opinion"}),
    ),
    AuthorSpec(
        "Amara Okafor",
        "amara-okafor",
        "Africa correspondent based in Nairobi, covering politics, business and climate across the continent.",
        frozenset({"world", "economy", "science"}),
    ),
    AuthorSpec(
        "Lukas Brandt",
        "lukas-brandt",
        "Science and technology reporter with a particular interest in artificial intelligence and space.",
        frozenset({"science"}),
    ),
    AuthorSpec(
        "Sofia Márquez",
        "sofia-marquez",
        "Sports writer covering football and athletics. Formerly a club press officer in Madrid.",
        frozenset({"sport"}),
    ),
    AuthorSpec(
        "Priya Nair",
        "priya-nair",
        "Culture editor and critic, writing on film, music, books and the arts.",
        frozenset({"culture", "opinion"}),
    ),
)

# --- Demo accounts (DEBUG only) -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserSpec:
    username: str
    password: str
    first_name: str
    last_name: str
    group: str | None = None
    is_superuser: bool = False
    author: str | None = None  # slug of the staff author this account writes as


USERS = (
    UserSpec("journalist", "journalist-demo-2026", "Nadia", "Rahman", group=JOURNALISTS, author="nadia-rahman"),
    UserSpec("editor", "editor-demo-2026", "Daniel", "Osei", group=EDITORS),
    UserSpec("admin", "admin-demo-2026", "Site", "Admin", is_superuser=True),
)

# --- Body copy ------------------------------------------------------------------------------------------------------

# Which pool of supporting paragraphs a section's stories draw from.
DESKS = {
    "world": "world",
    "europe": "world",
    "middle-east": "world",
    "asia": "world",
    "politics": "world",
    "economy": "economy",
    "business": "economy",
    "technology": "science",
    "science": "science",
    "health": "science",
    "environment": "science",
    "sport": "sport",
    "culture": "culture",
    "opinion": "opinion",
}

# Supporting paragraphs that follow a story's own opening paragraph. Each pool has at least eight, so a body can
# run to nine paragraphs without repeating itself.
PARAGRAPHS = {
    "world": (
        "Diplomats familiar with the talks said the wording of any joint statement was still being negotiated late "
        "into the night, with several delegations pressing for firmer commitments on timelines and verification.",
        "The announcement drew a cautious response from neighbouring governments. A senior official in one regional "
        "capital called it “a step in the right direction” but warned that previous pledges had not always been "
        "followed by action on the ground.",
        "Opposition figures were quick to criticise the decision, accusing the government of acting without "
        "consulting parliament. A spokesperson for the main opposition bloc said it would seek an urgent debate "
        "when lawmakers return next week.",
        "Humanitarian organisations said the priority remained getting help to civilians. The United Nations has "
        "repeatedly warned that supplies of food, fuel and medicine in the worst-affected areas are running "
        "dangerously low.",
        "Analysts said the episode underlined how quickly the diplomatic calendar can be upended. “Governments are "
        "having to respond to events in real time, and that leaves very little room for long-term planning,” said a "
        "researcher at a European foreign-policy institute.",
        "Officials declined to give a timetable for the next round of talks, saying only that technical teams would "
        "continue to meet. Previous rounds have stalled over sequencing, with each side insisting the other move "
        "first.",
        "Security was tight across the capital, with roads around government buildings closed to traffic and police "
        "deployed at major intersections. Residents reported long queues at checkpoints but no serious incidents.",
        "The issue is expected to feature prominently at a meeting of foreign ministers later this month, where "
        "several countries are likely to push for a coordinated position before the end of the year.",
        "Public opinion remains divided. A poll published this week suggested that a narrow majority supported the "
        "government's approach, though support has fallen steadily since the spring.",
        "In a statement, the foreign ministry said it remained “fully committed” to dialogue and urged all parties "
        "to avoid steps that could inflame tensions further.",
    ),
    "economy": (
        "Economists said the figures pointed to an economy that is slowing but not stalling. “Households are still "
        "spending, but they are becoming much more selective, and businesses are holding back on investment until "
        "the outlook is clearer,” said the chief economist at a large asset manager.",
        "Markets reacted calmly. The main stock index closed slightly higher, while government bond yields edged "
        "down as investors bet that borrowing costs have now peaked.",
        "The central bank has signalled that it is in no hurry to cut interest rates, warning that services "
        "inflation remains stubborn and that wage growth is still running above levels consistent with its target.",
        "Business groups welcomed the move but said more needed to be done to reduce red tape and energy costs, "
        "which they blame for a sharp fall in manufacturing orders over the past year.",
        "The finance ministry said the measures would be funded within existing spending plans. Independent "
        "forecasters, however, cautioned that the public finances had little room for manoeuvre if growth "
        "disappointed.",
        "Consumer confidence has improved for three consecutive months, according to a survey published this week, "
        "helped by lower fuel prices and a steadier jobs market.",
        "Trade unions said the gains had yet to reach ordinary workers. Real wages, adjusted for inflation, are "
        "only now returning to the levels seen before the energy shock.",
        "Shares in the company rose more than 4 per cent in early trading before paring gains. Analysts said "
        "investors would be watching closely for guidance on margins when it reports full-year results.",
        "Exporters remain exposed to a weaker global backdrop. Demand from China has softened and new tariffs have "
        "added costs for companies that rely on cross-border supply chains.",
        "The company said it expected conditions to remain challenging in the first half of next year but was "
        "confident that cost cuts and new product launches would support a recovery.",
    ),
    "science": (
        "The findings, published in a peer-reviewed journal, are based on several years of data and have been "
        "welcomed by independent experts, although some cautioned that further work would be needed to confirm the "
        "results in larger groups.",
        "Regulators said they would study the proposals closely. A spokesperson said any new rules would need to "
        "balance innovation against the protection of consumers and their personal data.",
        "Researchers stressed that the work was at an early stage. “This is an important step, but it is one "
        "step,” said the study's lead author. “We need to see whether the effect holds up outside the laboratory.”",
        "Campaigners said the announcement fell short of what was needed. They pointed to a growing body of "
        "evidence that the costs of delay, both financial and human, rise sharply with every year that passes.",
        "Industry figures said the technology was advancing faster than the rules governing it. Several companies "
        "have called for clear, internationally consistent standards so that they can plan investment with "
        "confidence.",
        "Doctors' organisations urged the public not to be complacent. Hospitals have reported rising admissions in "
        "recent weeks, and staff shortages mean that services have little spare capacity.",
        "The project has been funded by a mix of public grants and private investment. Its backers say it could be "
        "scaled up within five years if the results of pilot schemes are confirmed.",
        "Scientists noted that the data covered a relatively short period and that natural variation could play a "
        "role. Still, they said the direction of travel was consistent with long-term observations.",
        "Privacy advocates raised concerns about how the data would be stored and who would have access to it. The "
        "company said all information would be anonymised and held on servers within the country.",
        "The government said it would publish a consultation early next year, with legislation to follow if there "
        "was sufficient support.",
    ),
    "sport": (
        "The result leaves them top of the table with a game in hand, although the manager insisted afterwards that "
        "there was “a long way still to go”.",
        "Injuries have been a persistent problem this season. The club confirmed that two first-team regulars would "
        "miss the next month, forcing another reshuffle of a squad already stretched by a crowded fixture list.",
        "Supporters packed the stadium despite the cold, and the atmosphere was electric from the opening whistle. "
        "Tickets for the return fixture sold out within hours of going on sale.",
        "The coach praised the players' resilience. “We didn't play our best, but the character was there,” he "
        "told reporters. “At this level, you have to find a way to win even when it isn't pretty.”",
        "Officials said a review of the incident would be completed within a fortnight. The governing body has "
        "faced growing pressure to explain how its video-review technology is applied.",
        "Attention now turns to next week's fixtures, where a win would all but guarantee a place in the knockout "
        "rounds. A defeat, however, would leave qualification out of their hands.",
        "The veteran, who has hinted that this could be his final season, received a standing ovation when he was "
        "substituted in the closing minutes.",
        "Broadcasters reported record viewing figures, underlining the sport's growing popularity among younger "
        "audiences and in markets where it was once a niche interest.",
    ),
    "culture": (
        "Critics have been largely enthusiastic. Several praised the work's ambition and its refusal to offer easy "
        "answers, although a few found the second half uneven.",
        "The organisers said attendance was up on last year, with a noticeably younger audience. Tickets for the "
        "closing weekend sold out weeks in advance.",
        "The work draws on the artist's own childhood and on oral histories gathered over more than a decade. “I "
        "wanted to record voices that were in danger of being forgotten,” she said in an interview.",
        "Funding remains a concern for smaller venues, many of which are still recovering from years of disruption. "
        "Several have warned that they may have to cut programmes without additional support.",
        "Industry figures said the success showed that audiences were hungry for stories told from new "
        "perspectives, and that investors were beginning to take notice.",
        "A programme of screenings and talks will tour regional cities next spring, with discussions featuring the "
        "directors and cast.",
        "Publishers say demand for translated work has grown steadily in recent years, helped by prizes and by "
        "audiences' appetite for stories from outside the English-speaking world.",
        "Rights holders have called for clearer rules on how their work may be used, and for a fairer share of the "
        "revenue generated by streaming platforms.",
    ),
    "opinion": (
        "It is tempting to treat this as a one-off. It is not. The same pattern has repeated itself for years: a "
        "burst of attention, a flurry of promises, and then a quiet return to business as usual.",
        "None of this means the critics are right about everything. But it does mean that those in charge owe the "
        "public a clearer explanation of what they are trying to achieve, and how they will know if they have "
        "failed.",
        "The uncomfortable truth is that there are no cost-free options. Every choice on the table involves "
        "trade-offs, and pretending otherwise only stores up disappointment for later.",
        "History offers some guidance. Governments that have managed similar transitions successfully tended to "
        "move early, explain their reasoning and stick to a plan long enough for it to work.",
        "What is missing is not ideas but political courage. The proposals have been discussed for years; what has "
        "been lacking is a willingness to spend political capital on them.",
        "Voters are not naive. They can tell the difference between a genuine change of course and a change of "
        "slogan, and they will judge accordingly at the ballot box.",
        "There is still time to get this right. But the window is narrowing, and the price of further delay will be "
        "paid by those with the least power to influence the outcome.",
        "In the end, the test will be simple: whether ordinary people feel safer, better off and more fairly "
        "treated in five years' time than they do today.",
    ),
}

# --- Stories --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Credits:
    """Who a byline names: staff authors (by slug) first, then agencies (by slug)."""

    authors: tuple[str, ...] = ()
    agencies: tuple[str, ...] = ()


BY_AGENCIES = Credits(agencies=("agencies",))


@dataclass(frozen=True)
class StorySpec:
    section: str
    headline: str
    standfirst: str
    dateline: str
    topics: tuple[str, ...]
    lede: str = ""  # the story's own opening paragraph; supporting paragraphs from its desk follow
    paragraphs: tuple[str, ...] = ()  # the complete body instead, for stories reproduced word for word
    credits: Credits | None = None  # None: chosen at random from the section's authors and the wires
    slug: str = ""  # only when the address must differ from the headline's slug

    @property
    def article_slug(self) -> str:
        return self.slug or slugify(self.headline, allow_unicode=True)[:255]


REFERENCE_STORY = StorySpec(
    "world",
    "Macron banks on US backing as 26 Nations pledge troops for Ukraine",
    "The Paris gathering, dubbed a meeting of the “coalition of the willing,” drew European leaders, Ukrainian "
    "President Volodymyr Zelenskyy, and US envoy Steve Witkoff.",
    "PARIS",
    ("Russia-Ukraine war", "Emmanuel Macron", "Ukraine", "NATO"),
    paragraphs=(
        "French President Emmanuel Macron expressed confidence that Washington will soon commit to supporting "
        "Ukraine’s post-war security, a pledge seen as central to Europe’s broader push to contain Russia, Al Jazeera "
        "reported. His comments came after a Paris summit where 26 countries promised to send troops to Ukraine once "
        "fighting subsides.",
        "The Paris gathering, dubbed a meeting of the “coalition of the willing,” drew European leaders, Ukrainian "
        "President Volodymyr Zelenskyy, and US envoy Steve Witkoff. Macron also spoke with US President Donald Trump "
        "by video call, which Al Jazeera’s correspondent in Paris described as “positive,” though Washington has yet "
        "to clarify its precise role. Macron said details of America’s involvement should be finalized “in the "
        "coming days.”",
        "Al Jazeera noted that US support is viewed as indispensable for any mission, with analysts stressing Europe "
        "cannot manage such an operation alone. Intelligence, airpower, and logistics would all hinge on US "
        "contributions, even if American troops never set foot in Ukraine.",
        "The 26-nation pledge includes European states, Canada, Australia, and Japan. Macron explained that troops "
        "would avoid frontline combat but act as a “reassurance force” to prevent fresh Russian offensives. "
        "Zelenskyy welcomed the move, calling it the “first serious concrete step” toward credible security "
        "guarantees.",
        "Britain’s Prime Minister Keir Starmer urged tougher pressure on Russian President Vladimir Putin, while "
        "Germany’s Chancellor Friedrich Merz struck a cautious tone, saying Berlin would only decide its level of "
        "involvement once conditions became clearer. Italy confirmed it would not send troops but could help monitor "
        "a future peace arrangement.",
        "Al Jazeera highlighted that Putin has shown little interest in negotiations, especially after his visit to "
        "Beijing this week. Zelenskyy accused the Russian leader of having “no intention of coming to the table,” "
        "while Putin reiterated Moscow could “resolve all our tasks militarily” if terms acceptable to the Kremlin "
        "were not met. NATO’s Secretary-General Mark Rutte countered, warning against giving Putin too much sway "
        "over Europe’s choices.",
        "Al Jazeera also reported tensions between Trump and European leaders over ongoing Russian oil imports. "
        "Zelenskyy said Trump was “very dissatisfied” that Hungary and Slovakia continued to buy Russian crude, "
        "despite EU sanctions passed in 2022. The White House confirmed that Trump pressed European governments to "
        "halt purchases that still bring Moscow billions of euros. He also urged them to curb Chinese financing of "
        "Russia’s war effort.",
        "While the European Commission has proposed phasing out Russian energy imports by 2028, exemptions for "
        "landlocked states have prolonged dependence. Ukraine has repeatedly targeted the Druzhba pipeline, which "
        "carries oil to Hungary and Slovakia, sparking further disputes within the EU, according to Al Jazeera.",
        "For now, Macron insists the Paris Summit shows Europe can act, but as Al Jazeera pointed out, the "
        "credibility of any security force in Ukraine ultimately rests on Washington’s willingness to back it.",
    ),
    credits=BY_AGENCIES,
    slug="macron-banks-on-us-backing-as-26-nations-pledge-troops-for-ukraine",
)

# The reference article's related stories, with how long before it each was published. The site ranks related
# stories by topics shared, then newest first: the lending story shares all four topics (so it fills the inline
# box), the others two each, in the reference page's order. No other demo story shares more than one of the four.
RELATED_STORIES = (
    (
        StorySpec(
            "economy",
            "Lending slows as banks focus on recovery of loans at fiscal year end",
            "Banks have turned cautious on new credit as they chase repayments before the books close, with the war "
            "in Ukraine clouding the outlook for borrowers.",
            "DHAKA",
            ("Russia-Ukraine war", "Emmanuel Macron", "Ukraine", "NATO"),
            lede="Credit growth slowed sharply in the final weeks of the fiscal year as banks concentrated on "
            "recovering overdue loans rather than extending new ones, bankers said, with uncertainty over the war in "
            "Ukraine and Europe's response to it weighing on borrowers' plans.",
            credits=Credits(authors=("tom-whitaker",), agencies=("reuters",)),
        ),
        timedelta(hours=17),
    ),
    (
        StorySpec(
            "economy",
            "Trump attacks Ford Motor for not backing fuel economy rollback",
            "The president said the carmaker should have supported his plan to loosen fuel-efficiency standards.",
            "WASHINGTON",
            ("Donald Trump", "Oil prices", "Russia-Ukraine war", "Ukraine"),
            lede="US President Donald Trump attacked Ford Motor for refusing to support his administration's plan to "
            "roll back fuel economy standards, saying the carmaker was out of step with an industry that wanted "
            "looser rules. Petrol prices, pushed up after Russia's full-scale invasion of Ukraine, have made the "
            "standards a sensitive issue for drivers.",
            credits=Credits(agencies=("reuters",)),
        ),
        timedelta(days=1, hours=1),
    ),
    (
        StorySpec(
            "world",
            "Macron says China has 'major role' to play in path to peace in Ukraine",
            "The French president urged Beijing to use its influence with Moscow to help end the war.",
            "PARIS",
            ("Emmanuel Macron", "China", "Russia-Ukraine war"),
            lede="French President Emmanuel Macron said China had a “major role” to play in bringing about peace in "
            "Ukraine, urging Beijing to use its influence with Moscow as European leaders prepared for talks on "
            "security guarantees for Kyiv.",
            credits=Credits(authors=("nadia-rahman",), agencies=("afp",)),
        ),
        timedelta(days=2, hours=2),
    ),
    (
        StorySpec(
            "opinion",
            "The Macron Factor",
            "France's president has made himself indispensable to Europe's security debate. Can he turn that into "
            "results?",
            "",
            ("Emmanuel Macron", "European Union", "NATO"),
            lede="Whatever one thinks of Emmanuel Macron, he has an unusual talent for putting himself at the centre "
            "of Europe's arguments. On Ukraine, on defence spending and on relations with Washington, it is "
            "increasingly the French president who sets the terms of the debate.",
            credits=Credits(authors=("nadia-rahman",)),
        ),
        timedelta(days=3, hours=4),
    ),
    (
        StorySpec(
            "world",
            "Faux pas: France’s Macron says Aussie PM’s wife ‘delicious’",
            "A translation slip at a joint press conference lit up social media.",
            "SYDNEY",
            ("Emmanuel Macron", "Ukraine", "Australia"),
            lede="French President Emmanuel Macron caused a stir in Sydney when he thanked Australia's prime minister "
            "and his “delicious wife” for their hospitality, an apparent slip for the French délicieuse, meaning "
            "delightful. The remark came at a press conference otherwise dominated by Australia's offer to "
            "contribute to a reassurance force for Ukraine.",
            credits=Credits(agencies=("afp",)),
        ),
        timedelta(days=4, hours=3),
    ),
    (
        StorySpec(
            "world",
            "Ukraine-Russia crisis: What to know as tensions hit new high",
            "From the front line to the negotiating table, the key questions as the war enters a dangerous new phase.",
            "KYIV",
            ("Russia-Ukraine war", "Ukraine", "Vladimir Putin"),
            lede="Tensions between Russia and Ukraine have reached a new high, with Moscow intensifying drone and "
            "missile strikes on Ukrainian cities while Western leaders debate how to guarantee Kyiv's security after "
            "any ceasefire. Here is what we know.",
            credits=Credits(authors=("nadia-rahman",), agencies=("al-jazeera",)),
        ),
        timedelta(days=5, hours=2),
    ),
)

# The bulk of the front page: published at random times over the last four weeks.
RECENT_STORIES = (
    # World
    StorySpec(
        "world",
        "UN Security Council extends peacekeeping mission in South Sudan for another year",
        "The renewal came after weeks of negotiations over troop numbers and the mission's mandate to protect "
        "civilians.",
        "NEW YORK",
        ("United Nations", "Africa"),
        lede="The United Nations Security Council voted to extend its peacekeeping mission in South Sudan for a "
        "further twelve months, keeping roughly 17,000 troops and police in the country as it prepares for "
        "long-delayed elections.",
    ),
    StorySpec(
        "world",
        "Trump says trade deal with China is 'very close' after call with Xi",
        "The US president said negotiators had resolved most outstanding issues, but gave no date for a signing.",
        "WASHINGTON",
        ("Donald Trump", "China", "Trade"),
        lede="US President Donald Trump said a trade agreement with China was “very close” after a lengthy phone "
        "call with President Xi Jinping, raising hopes of an easing in tariffs that have weighed on both economies.",
    ),
    StorySpec(
        "world",
        "Kenya and Ethiopia sign deal to share electricity from new dam",
        "The agreement will see Ethiopia export up to 400 megawatts to Kenya, enough to power several hundred "
        "thousand homes.",
        "NAIROBI",
        ("Africa", "Climate change"),
        lede="Kenya and Ethiopia have signed an agreement to expand cross-border electricity trade, a deal officials "
        "in both countries described as a milestone for regional integration in East Africa.",
    ),
    StorySpec(
        "world",
        "Putin and Xi pledge deeper energy ties at Moscow meeting",
        "The two leaders discussed a long-stalled gas pipeline and greater use of their own currencies in trade.",
        "MOSCOW",
        ("Vladimir Putin", "China", "Oil prices"),
        lede="Russian President Vladimir Putin and Chinese President Xi Jinping pledged to deepen energy "
        "cooperation, including progress on a long-planned gas pipeline, as both countries seek to reduce their "
        "exposure to Western sanctions and tariffs.",
    ),
    StorySpec(
        "world",
        "Developing nations press for climate finance as talks open in Brazil",
        "Delegates from nearly 200 countries are meeting to agree how to raise hundreds of billions of dollars for "
        "poorer nations.",
        "BRASILIA",
        ("Climate change", "United Nations"),
        lede="Negotiators from almost 200 countries gathered in Brazil for a new round of climate talks, with "
        "developing nations insisting that rich countries deliver on promises of finance to help them cut emissions "
        "and adapt to a warming world.",
    ),
    # Europe
    StorySpec(
        "europe",
        "EU leaders agree new sanctions package targeting Russian oil revenues",
        "The measures tighten the price cap on Russian crude and target dozens more tankers in the so-called shadow "
        "fleet.",
        "BRUSSELS",
        ("European Union", "Oil prices", "Russia-Ukraine war"),
        lede="European Union leaders agreed a fresh package of sanctions aimed at cutting Russia's oil revenues, "
        "tightening the price cap on crude exports and adding dozens of vessels to a blacklist of tankers accused of "
        "helping Moscow evade earlier restrictions.",
    ),
    StorySpec(
        "europe",
        "German coalition strikes budget deal after weeks of wrangling",
        "The agreement increases defence and infrastructure spending while keeping to the country's debt rules.",
        "BERLIN",
        ("European Union", "Inflation"),
        lede="Germany's governing coalition reached agreement on next year's budget after weeks of difficult talks, "
        "boosting spending on defence and infrastructure while insisting it would stay within the constitutional "
        "limits on new borrowing.",
    ),
    StorySpec(
        "europe",
        "Spain's wildfire season was the worst in three decades, report finds",
        "More than 350,000 hectares burned this year, according to the European forest fire monitoring service.",
        "MADRID",
        ("Climate change", "European Union"),
        lede="Wildfires in Spain burned more land this year than in any season for three decades, according to a "
        "European report, as scientists warned that hotter, drier summers were making large blazes harder to "
        "control.",
    ),
    StorySpec(
        "europe",
        "Polish farmers block border crossings in protest over grain imports",
        "Farmers say cheaper imports are driving down prices; the government has promised talks with Brussels.",
        "WARSAW",
        ("European Union", "Trade", "Ukraine"),
        lede="Farmers in Poland blocked several crossings on the border with Ukraine in protest at grain imports they "
        "say are undercutting local producers, reviving a dispute that has strained relations between the two "
        "neighbours.",
    ),
    # Middle East
    StorySpec(
        "middle-east",
        "Aid convoys enter Gaza as mediators push for next phase of ceasefire",
        "Egyptian and Qatari mediators are trying to bridge gaps over reconstruction and security arrangements.",
        "CAIRO",
        ("Gaza", "Middle East", "United Nations"),
        lede="Dozens of aid lorries crossed into Gaza as mediators from Egypt and Qatar pressed the parties to move "
        "to the next phase of a ceasefire agreement, with talks focused on reconstruction, security and the "
        "administration of the territory.",
    ),
    StorySpec(
        "middle-east",
        "Saudi Arabia unveils plan to double tourism revenue by 2030",
        "The kingdom is betting on new resorts, events and relaxed visa rules to diversify away from oil.",
        "RIYADH",
        ("Middle East", "Oil prices"),
        lede="Saudi Arabia set out plans to double its income from tourism by the end of the decade, part of a wider "
        "drive to reduce the economy's reliance on oil revenues.",
    ),
    StorySpec(
        "middle-east",
        "Iran and UN nuclear watchdog agree on new inspection arrangements",
        "The deal restores some access for inspectors but leaves key questions about enriched uranium stockpiles "
        "unresolved.",
        "VIENNA",
        ("Middle East", "United Nations"),
        lede="Iran and the International Atomic Energy Agency agreed new arrangements for inspections of the "
        "country's nuclear sites, the UN watchdog said, though diplomats cautioned that important questions remained "
        "unanswered.",
    ),
    StorySpec(
        "middle-east",
        "Lebanon's parliament approves long-delayed banking reform law",
        "The law is a key condition for an IMF support programme and for unlocking frozen deposits.",
        "BEIRUT",
        ("Middle East", "Banking"),
        lede="Lebanon's parliament approved a long-awaited law to restructure the country's banks, a key demand of "
        "the International Monetary Fund as the country tries to recover from one of the worst financial crises in "
        "modern history.",
    ),
    # Asia
    StorySpec(
        "asia",
        "Japan's ruling party picks new leader ahead of snap election",
        "The new leader is expected to call a general election within weeks.",
        "TOKYO",
        ("Elections", "Trade"),
        lede="Japan's governing Liberal Democratic Party chose a new leader, who is set to become prime minister and "
        "is widely expected to call a snap general election to seek a fresh mandate.",
    ),
    StorySpec(
        "asia",
        "India's monsoon ends with above-average rainfall, boosting crop prospects",
        "Good rains should help cool food prices, though floods caused heavy damage in several northern states.",
        "NEW DELHI",
        ("Climate change", "Inflation"),
        lede="India's monsoon season ended with rainfall about 8 per cent above the long-term average, the weather "
        "office said, raising hopes of a bumper harvest and lower food inflation.",
    ),
    StorySpec(
        "asia",
        "China's exports beat forecasts despite US tariffs",
        "Shipments to Southeast Asia and Europe more than offset a sharp fall in sales to the United States.",
        "BEIJING",
        ("China", "Trade", "Donald Trump"),
        lede="China's exports grew faster than expected last month, customs data showed, as strong demand in "
        "Southeast Asia and Europe outweighed a steep decline in shipments to the United States.",
    ),
    StorySpec(
        "asia",
        "Philippines protests Chinese coast guard water cannon attack",
        "Manila says the incident near a disputed shoal damaged a government vessel.",
        "MANILA",
        ("China", "United Nations"),
        lede="The Philippines lodged a diplomatic protest with China after its coast guard fired water cannon at a "
        "Philippine government vessel near a disputed shoal in the South China Sea, the latest in a series of "
        "confrontations in the contested waters.",
    ),
    # Economy
    StorySpec(
        "economy",
        "Bangladesh central bank holds rates as inflation eases",
        "The central bank said it would keep policy tight until inflation falls below 7 per cent.",
        "DHAKA",
        ("Interest rates", "Inflation", "Banking"),
        lede="Bangladesh's central bank kept its main policy rate unchanged, saying inflation had begun to ease but "
        "remained too high to justify cutting borrowing costs.",
    ),
    StorySpec(
        "economy",
        "ECB holds interest rates steady as inflation nears target",
        "Policymakers signalled they were in no rush to move again, citing uncertainty over trade.",
        "FRANKFURT",
        ("Interest rates", "Inflation", "European Union"),
        lede="The European Central Bank left interest rates unchanged for a third consecutive meeting, saying "
        "inflation in the eurozone was close to its 2 per cent target and that the economy had proved more resilient "
        "than feared.",
    ),
    StorySpec(
        "economy",
        "Oil prices fall as OPEC+ agrees to raise output",
        "Brent crude slipped below $62 a barrel after the producer group said it would add more supply next month.",
        "LONDON",
        ("Oil prices", "Middle East"),
        lede="Oil prices fell after the OPEC+ group of producers agreed to increase output again next month, adding "
        "to concerns that supply will outstrip demand next year.",
    ),
    StorySpec(
        "economy",
        "US inflation edges up as tariffs feed through to prices",
        "Prices of furniture, clothing and household appliances rose sharply, complicating the Federal Reserve's "
        "plans.",
        "WASHINGTON",
        ("Inflation", "Donald Trump", "Interest rates"),
        lede="US consumer prices rose slightly faster than expected last month, official figures showed, as the cost "
        "of imported goods subject to new tariffs began to filter through to shoppers.",
    ),
    StorySpec(
        "economy",
        "UK economy grows 0.1pc as households rein in spending",
        "The slowdown adds pressure on the government ahead of its budget.",
        "LONDON",
        ("Inflation", "Interest rates"),
        lede="Britain's economy barely grew in the third quarter, official figures showed, as households cut back on "
        "spending and businesses delayed investment ahead of the government's budget.",
    ),
    StorySpec(
        "economy",
        "IMF raises global growth forecast but warns of trade risks",
        "The fund said the world economy had weathered tariff shocks better than expected.",
        "WASHINGTON",
        ("Trade", "China", "Donald Trump"),
        lede="The International Monetary Fund nudged up its forecast for global growth, saying the world economy had "
        "proved more resilient to higher tariffs than expected, but warned that an escalation of trade tensions could "
        "quickly reverse the gains.",
    ),
    # Business
    StorySpec(
        "business",
        "HSBC to cut costs further as profits beat expectations",
        "The bank said it would save a further $1.5bn a year by simplifying its structure.",
        "HONG KONG",
        ("Banking", "China", "Interest rates"),
        lede="HSBC reported quarterly profits ahead of analysts' forecasts and said it would press ahead with further "
        "cost cuts as it simplifies its sprawling global operations.",
    ),
    StorySpec(
        "business",
        "Nvidia posts record revenue on surging demand for AI chips",
        "Data centre sales more than doubled from a year earlier, though the company flagged uncertainty over "
        "exports to China.",
        "SAN FRANCISCO",
        ("Artificial intelligence", "China", "Trade"),
        lede="Nvidia reported record quarterly revenue as technology companies continued to spend heavily on the "
        "chips that power artificial intelligence systems, easing some investor concerns about a slowdown in the AI "
        "boom.",
    ),
    StorySpec(
        "business",
        "Airbus raises delivery target as supply chain problems ease",
        "The planemaker now expects to deliver about 820 commercial aircraft this year.",
        "TOULOUSE",
        ("European Union", "Trade"),
        lede="Airbus raised its delivery target for the year, saying that shortages of engines and parts that had "
        "held back production were beginning to ease.",
    ),
    StorySpec(
        "business",
        "Shell and BP report lower profits as oil price slide bites",
        "Both companies kept shareholder payouts steady despite weaker earnings.",
        "LONDON",
        ("Oil prices", "Climate change"),
        lede="Shell and BP reported lower quarterly profits as falling oil and gas prices hit earnings, though both "
        "kept up payments to shareholders and said their cost-cutting programmes were on track.",
    ),
    StorySpec(
        "business",
        "Kenyan mobile money firm expands into three new markets",
        "The company aims to reach 100 million users across Africa within five years.",
        "NAIROBI",
        ("Africa", "Banking"),
        lede="One of Kenya's largest mobile money providers announced plans to expand into three more African "
        "markets, betting that rising smartphone use will drive demand for digital payments and small loans.",
    ),
    # Politics
    StorySpec(
        "politics",
        "Senate passes stopgap spending bill to avert government shutdown",
        "The measure keeps federal agencies funded until the end of January.",
        "WASHINGTON",
        ("Donald Trump", "Elections"),
        lede="The US Senate passed a short-term spending bill to keep the federal government funded into the new "
        "year, averting a shutdown hours before the deadline.",
    ),
    StorySpec(
        "politics",
        "Starmer faces backbench revolt over welfare changes",
        "More than 40 Labour MPs have signed a letter urging the government to think again.",
        "LONDON",
        ("Elections", "Inflation"),
        lede="British Prime Minister Keir Starmer faced a growing rebellion among his own MPs over planned changes to "
        "disability benefits, with more than 40 Labour backbenchers urging ministers to rethink the proposals.",
    ),
    StorySpec(
        "politics",
        "Macron names new prime minister in bid to end political deadlock",
        "The appointment follows the collapse of the previous government in a confidence vote.",
        "PARIS",
        ("Emmanuel Macron", "European Union", "Elections"),
        lede="French President Emmanuel Macron appointed a new prime minister, his latest attempt to break a "
        "political deadlock that has left France without a stable majority in parliament.",
    ),
    StorySpec(
        "politics",
        "Dutch election leaves centrist party as largest in parliament",
        "Coalition talks are expected to take months.",
        "THE HAGUE",
        ("Elections", "European Union"),
        lede="A centrist party emerged as the largest in the Dutch parliament after a closely fought general "
        "election, setting the stage for what analysts expect to be lengthy coalition negotiations.",
    ),
    # Opinion (columns carry no dateline)
    StorySpec(
        "opinion",
        "Europe cannot outsource its security forever",
        "Higher defence budgets are a start. The harder part is spending the money together.",
        "",
        ("NATO", "European Union"),
        lede="For decades, Europe's security rested on a simple bargain: the United States provided the ultimate "
        "guarantee, and Europeans spent what they thought they could get away with. That bargain is fraying, and no "
        "amount of summit communiqués will restore it.",
    ),
    StorySpec(
        "opinion",
        "Central banks should resist the temptation to declare victory",
        "Inflation is close to target, but the last mile has always been the hardest.",
        "",
        ("Interest rates", "Inflation"),
        lede="After the worst bout of inflation in a generation, it is understandable that central bankers want to "
        "move on. But easing too early, before price pressures in services have been tamed, risks undoing years of "
        "painful work.",
    ),
    StorySpec(
        "opinion",
        "AI needs rules that ordinary people can understand",
        "Regulation written for lawyers will not earn the public's trust.",
        "",
        ("Artificial intelligence", "European Union"),
        lede="Artificial intelligence is already deciding who gets a loan, which CVs are read and what news we see. "
        "Yet most of the rules being written to govern it are so complex that only specialists can follow them.",
    ),
    # Technology
    StorySpec(
        "technology",
        "EU opens investigation into Meta's AI assistant on WhatsApp",
        "Regulators want to know whether rival chatbots are being shut out of the messaging service.",
        "BRUSSELS",
        ("European Union", "Artificial intelligence"),
        lede="The European Commission opened an antitrust investigation into Meta's use of its artificial "
        "intelligence assistant in WhatsApp, examining whether the company is unfairly restricting access for "
        "competing services.",
    ),
    StorySpec(
        "technology",
        "OpenAI and chipmakers sign multibillion-dollar data centre deals",
        "The agreements underline the vast sums being committed to computing capacity.",
        "SAN FRANCISCO",
        ("Artificial intelligence", "Trade"),
        lede="OpenAI announced a series of agreements with chipmakers and cloud providers to build new data centres, "
        "adding to the hundreds of billions of dollars being committed to the infrastructure behind artificial "
        "intelligence.",
    ),
    StorySpec(
        "technology",
        "Taiwan's chip exports hit record as AI demand soars",
        "Shipments of semiconductors and servers rose more than 50 per cent from a year earlier.",
        "TAIPEI",
        ("Artificial intelligence", "China", "Trade"),
        lede="Taiwan's exports climbed to a record last month, driven by booming demand for the semiconductors and "
        "servers used in artificial intelligence systems.",
    ),
    StorySpec(
        "technology",
        "Undersea cable damage disrupts internet across East Africa",
        "Operators rerouted traffic but users reported slow connections for a second day.",
        "NAIROBI",
        ("Africa", "Banking"),
        lede="Internet users across several East African countries reported slow connections and outages after "
        "damage to an undersea cable off the coast, operators said, with banks and mobile money services among those "
        "affected.",
    ),
    # Science
    StorySpec(
        "science",
        "Scientists map the most detailed picture yet of the human brain's wiring",
        "The atlas, built with help from machine learning, could help researchers understand diseases such as "
        "Alzheimer's.",
        "LONDON",
        ("Artificial intelligence", "Public health"),
        lede="An international team of scientists has produced the most detailed map yet of the connections between "
        "cells in a region of the human brain, a project they say could transform the study of neurological "
        "disease.",
    ),
    StorySpec(
        "science",
        "Chinese astronauts return to Earth after six months on space station",
        "The crew carried out experiments and two spacewalks during their mission.",
        "BEIJING",
        ("Space", "China"),
        lede="Three Chinese astronauts returned safely to Earth after six months aboard the country's Tiangong space "
        "station, landing in the Inner Mongolia region.",
    ),
    StorySpec(
        "science",
        "European rocket launches new weather satellite",
        "The satellite will improve forecasts of extreme weather across Europe and Africa.",
        "KOUROU",
        ("Space", "European Union", "Climate change"),
        lede="An Ariane 6 rocket lifted off from French Guiana carrying a new weather satellite that will give "
        "forecasters a sharper view of storms, heatwaves and other extreme events.",
    ),
    # Health
    StorySpec(
        "health",
        "WHO warns of rising measles cases in Europe and Central Asia",
        "Vaccination rates have fallen in many countries since the pandemic.",
        "GENEVA",
        ("Public health", "United Nations"),
        lede="Measles cases in Europe and Central Asia have risen sharply, the World Health Organization said, urging "
        "governments to step up vaccination campaigns after coverage fell during the pandemic.",
    ),
    StorySpec(
        "health",
        "Malaria vaccine rollout reaches 20 African countries",
        "Health officials say the vaccines could save tens of thousands of children's lives each year.",
        "ACCRA",
        ("Public health", "Africa"),
        lede="Twenty African countries have now begun giving children malaria vaccines, health officials said, in a "
        "rollout that experts believe could save tens of thousands of lives a year.",
    ),
    StorySpec(
        "health",
        "Weight-loss drug prices to fall under new US deal",
        "Drugmakers agreed to cut prices in exchange for relief from tariffs.",
        "WASHINGTON",
        ("Public health", "Donald Trump"),
        lede="The makers of the most popular weight-loss drugs agreed to lower their prices for American patients "
        "under a deal with the Trump administration, which in return offered relief from tariffs on pharmaceutical "
        "imports.",
    ),
    # Environment
    StorySpec(
        "environment",
        "Amazon deforestation falls to lowest level in a decade",
        "Satellite data show clearing fell by more than 10 per cent over the past year.",
        "BRASILIA",
        ("Climate change", "United Nations"),
        lede="Deforestation in Brazil's Amazon rainforest fell to its lowest level in more than a decade, according "
        "to satellite data, a boost for the government as it hosts international climate negotiations.",
    ),
    StorySpec(
        "environment",
        "Himalayan glaciers melt at fastest rate on record",
        "Scientists warn that millions of people downstream depend on meltwater for drinking and farming.",
        "KATHMANDU",
        ("Climate change", "China"),
        lede="Glaciers in the Himalayas lost ice at the fastest rate on record this year, scientists said, as a "
        "prolonged heatwave and weak winter snowfall accelerated melting across the region.",
    ),
    StorySpec(
        "environment",
        "Australia approves vast solar and battery project to power Singapore",
        "The project would export electricity through thousands of kilometres of undersea cable.",
        "DARWIN",
        ("Climate change", "Trade"),
        lede="Australia's government approved a vast solar farm and battery project in the Northern Territory that "
        "aims to export clean electricity to Singapore through an undersea cable.",
    ),
    # Sport
    StorySpec(
        "sport",
        "Arsenal go five points clear after derby win at Tottenham",
        "A second-half header settled a tense north London derby.",
        "LONDON",
        ("Football", "Premier League"),
        lede="Arsenal moved five points clear at the top of the Premier League after a hard-fought victory over "
        "Tottenham Hotspur, with a second-half header deciding a tense north London derby.",
    ),
    StorySpec(
        "sport",
        "Kenyan runners sweep marathon titles in New York",
        "Victories in both the men's and women's races extended east Africa's dominance of road running.",
        "NEW YORK",
        ("Athletics", "Africa"),
        lede="Kenyan runners won both the men's and women's races at the New York City Marathon, extending the east "
        "African nation's dominance of long-distance road running.",
    ),
    StorySpec(
        "sport",
        "Bayern Munich beat PSG to stay perfect in Champions League",
        "Two goals in five first-half minutes put the German champions in control.",
        "MUNICH",
        ("Football", "Champions League"),
        lede="Bayern Munich kept up their perfect start to the Champions League with a convincing win over Paris "
        "Saint-Germain, scoring twice in five first-half minutes to take control of the game.",
    ),
    StorySpec(
        "sport",
        "Morocco seal World Cup place with a game to spare",
        "A comfortable home win sent the Atlas Lions to their third successive finals.",
        "RABAT",
        ("Football", "Africa"),
        lede="Morocco qualified for next year's World Cup with a game to spare after a comfortable home win, "
        "reaching their third successive finals and cementing their status as Africa's leading side.",
    ),
    # Culture
    StorySpec(
        "culture",
        "Iranian director's prison drama wins top prize at film festival",
        "The jury praised a film made in difficult circumstances and shot largely in secret.",
        "MARRAKESH",
        ("Film", "Middle East"),
        lede="A prison drama by an Iranian director won the top prize at an international film festival, with the "
        "jury praising a work made in difficult circumstances and shot largely in secret.",
    ),
    StorySpec(
        "culture",
        "Nollywood box office hits record as streaming giants invest",
        "Nigerian films took more at cinemas this year than ever before.",
        "LAGOS",
        ("Film", "Africa"),
        lede="Nigerian films earned more at the box office this year than ever before, industry figures showed, as "
        "international streaming platforms stepped up their investment in the country's film industry.",
    ),
    StorySpec(
        "culture",
        "AI-generated songs spark row as streaming platforms tighten rules",
        "Musicians say their voices and styles are being copied without consent or payment.",
        "LONDON",
        ("Artificial intelligence", "Music"),
        lede="Streaming platforms announced tighter rules on songs made with artificial intelligence after a string "
        "of AI-generated tracks climbed the charts, prompting complaints from musicians that their voices and styles "
        "were being copied without consent.",
    ),
)


@dataclass(frozen=True)
class Placement:
    """Where a story stands in the workflow."""

    status: str
    publish_at: datetime | None = None
    expire_at: datetime | None = None
    written_at: datetime | None = None  # when last edited, for stories not yet published; else its publish time

    @property
    def last_edited_at(self) -> datetime:
        return self.written_at or self.publish_at


# Stories in every other state, so editors find each of them in the admin. None of them is live.
DRAFT_STORIES = (
    StorySpec(
        "business",
        "Retailers brace for subdued festive season as shoppers cut back",
        "Discounting has started earlier than usual as chains compete for fewer sales.",
        "LONDON",
        ("Inflation", "Interest rates"),
        lede="Retailers are preparing for a subdued festive season, with surveys suggesting shoppers plan to spend "
        "less on gifts and food than last year as high prices continue to squeeze household budgets.",
    ),
    StorySpec(
        "science",
        "Quantum computing start-up claims error-correction breakthrough",
        "Independent researchers say the results are promising but still need to be reproduced.",
        "ZURICH",
        ("Artificial intelligence", "European Union"),
        lede="A Swiss quantum computing start-up said it had kept a logical qubit stable for longer than ever "
        "before, a step towards machines that can outperform conventional computers on useful problems.",
    ),
)
IN_REVIEW_STORY = StorySpec(
    "politics",
    "MPs to debate assisted dying bill in free vote",
    "Campaigners on both sides are lobbying undecided members ahead of the vote.",
    "LONDON",
    ("Elections", "Public health"),
    lede="Members of parliament will debate a bill to legalise assisted dying for terminally ill adults, with party "
    "leaders allowing a free vote on what has become one of the most closely watched issues of the session.",
)
SCHEDULED_STORY = StorySpec(
    "economy",
    "Central bank expected to cut rates as growth stalls",
    "Economists say weak figures have strengthened the case for lower borrowing costs.",
    "LONDON",
    ("Interest rates", "Inflation"),
    lede="The central bank is widely expected to cut interest rates at its meeting this week, after official figures "
    "showed that growth had stalled and inflation was falling faster than forecast.",
)
EXPIRED_STORY = StorySpec(
    "sport",
    "Ticket ballot opens for next summer's athletics championships",
    "Fans have ten days to apply for seats at the championships.",
    "LONDON",
    ("Athletics",),
    lede="Organisers opened a public ballot for tickets to next summer's athletics championships, giving fans ten "
    "days to apply for seats at what is expected to be one of the best-attended events in the sport's history.",
)
# Scheduled stories go live at this local hour tomorrow.
SCHEDULED_HOUR = 7

# Every story's lead image is its desk's picture, the reference article's its own (demo_pictures.PICTURES); this
# story also shows the reference picture in its body, after its first paragraph.
BODY_PICTURE_STORY = "eu-leaders-agree-new-sanctions-package-targeting-russian-oil-revenues"

# How bylines are credited across the recent stories, with relative weights.
BYLINE_STYLES = (("agencies", 2), ("author", 3), ("author_and_wire", 3), ("two_authors_and_reuters", 1), ("wire", 1))

# --- Editors' choices and readers ------------------------------------------------------------------------------------

# The reference page's inline box and first related story are editors' pins; the rest of its list is automatic.
PINNED_RELATED = (
    "Lending slows as banks focus on recovery of loans at fiscal year end",
    "Trump attacks Ford Motor for not backing fuel economy rollback",
)
# Front slots, by section slug ("" for the home page), in order. Without them fronts show the newest stories.
FRONT_SLOTS = {
    "": (
        "EU leaders agree new sanctions package targeting Russian oil revenues",
        "Aid convoys enter Gaza as mediators push for next phase of ceasefire",
    ),
    "world": ("Ukraine-Russia crisis: What to know as tensions hit new high",),
    "economy": ("ECB holds interest rates steady as inflation nears target",),
}
# Stories with reads over the last day, most read first; counts fall off roughly as 1/rank.
MOST_READ = (
    "Arsenal go five points clear after derby win at Tottenham",
    "Weight-loss drug prices to fall under new US deal",
    "Nvidia posts record revenue on surging demand for AI chips",
    "Macron names new prime minister in bid to end political deadlock",
    "Himalayan glaciers melt at fastest rate on record",
    "Oil prices fall as OPEC+ agrees to raise output",
    "EU leaders agree new sanctions package targeting Russian oil revenues",
    "Morocco seal World Cup place with a game to spare",
    "AI-generated songs spark row as streaming platforms tighten rules",
    "Senate passes stopgap spending bill to avert government shutdown",
    "Chinese astronauts return to Earth after six months on space station",
    "UK economy grows 0.1pc as households rein in spending",
)
MOST_READ_TOP_COUNT = 1800


# --- Loading --------------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """How many rows of each kind were created, and how many were already there."""

    created: dict[str, int] = field(default_factory=dict)
    present: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, created: bool) -> None:
        counts = self.created if created else self.present
        counts[kind] = counts.get(kind, 0) + 1


@dataclass
class Newsroom:
    """The rows stories refer to, by slug."""

    sections: dict[str, Section]
    agencies: dict[str, Agency]
    authors: dict[str, Author]
    topics: dict[str, Topic]
    pictures: dict[str, Image]


class Command(BaseCommand):
    help = (
        "Load a demo newsroom: sections, agencies, authors, pictures and about sixty stories (and demo accounts in "
        "DEBUG)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Counting from the hour rather than the second keeps reruns within the hour from moving anything.
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        rng = random.Random(SEED)
        tally = Tally()
        # Related lists are worked out once, all together, after every story is in.
        with transaction.atomic(), deferred_refresh(recompute_all=True):
            plan = plan_stories(now, rng)
            agencies = load_agencies(tally)
            newsroom = Newsroom(
                sections=load_sections(tally),
                agencies=agencies,
                authors=load_authors(tally),
                topics=load_topics(plan, tally),
                pictures=load_pictures(agencies, tally),
            )
            for story, placement in plan:
                load_story(story, placement, newsroom, rng, tally)
            load_editors_choices(newsroom)
            accounts = load_users(newsroom.authors) if settings.DEBUG else []
        load_reads()
        self.report(tally, accounts)

    def report(self, tally: Tally, accounts: list[UserSpec]) -> None:
        self.stdout.write(self.style.SUCCESS("Demo newsroom loaded."))
        for kind in ("sections", "agencies", "authors", "topics", "images", "articles"):
            created, present = tally.created.get(kind, 0), tally.present.get(kind, 0)
            self.stdout.write(f"  {kind.capitalize():<9} {created} created, {present} already present")
        if not settings.DEBUG:
            self.stdout.write("Demo accounts are only created with DEBUG on; none were created.")
            return
        self.stdout.write(self.style.SUCCESS("Demo accounts (for local use only):"))
        for account in accounts:
            self.stdout.write(f"  {account.username:<11} password: {account.password}")
        self.stdout.write(f"Sign in to the admin at {reverse('admin:index')} on the running site.")


def load_sections(tally: Tally) -> dict[str, Section]:
    sections: dict[str, Section] = {}
    for position, spec in enumerate(SECTIONS, start=1):
        # Steps of ten leave room to slot a new section in between without renumbering the rest.
        section, created = Section.objects.update_or_create(
            slug=spec.slug,
            defaults={
                "name": spec.name,
                "description": spec.description,
                "parent": sections[spec.parent] if spec.parent else None,
                "position": position * 10,
            },
        )
        sections[spec.slug] = section
        tally.count("sections", created)
    return sections


def load_agencies(tally: Tally) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for spec in AGENCIES:
        agency, created = Agency.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name, "short_name": spec.short_name, "website": spec.website}
        )
        agencies[spec.slug] = agency
        tally.count("agencies", created)
    return agencies


def load_authors(tally: Tally) -> dict[str, Author]:
    authors: dict[str, Author] = {}
    for spec in AUTHORS:
        author, created = Author.objects.update_or_create(
            slug=spec.slug, defaults={"name": spec.name, "bio": spec.bio}
        )
        authors[spec.slug] = author
        tally.count("authors", created)
    return authors


def load_topics(plan: list[tuple[StorySpec, Placement]], tally: Tally) -> dict[str, Topic]:
    topics: dict[str, Topic] = {}
    for story, _ in plan:
        for name in story.topics:
            if name not in topics:
                topics[name], created = Topic.objects.get_or_create(name=name)
                tally.count("topics", created)
    return topics


def load_pictures(agencies: dict[str, Agency], tally: Tally) -> dict[str, Image]:
    """The demo's pictures, drawn on the first run only, with all their renditions."""
    pictures: dict[str, Image] = {}
    for spec in PICTURES:
        fields = {
            "alt_text": spec.alt_text,
            "caption": spec.caption,
            "photographer": spec.photographer,
            "agency": agencies[spec.agency] if spec.agency else None,
            "focal_x": spec.focal[0],
            "focal_y": spec.focal[1],
            "copyright": "Drawn for the Newsroom demo; free to use.",
        }
        image = Image.objects.filter(source=spec.source).first()
        if image is None:
            image = Image(file=ContentFile(draw(spec, seed=SEED), name=f"{spec.key}.jpg"), source=spec.source)
        for name, value in fields.items():
            setattr(image, name, value)
        created = image.pk is None
        image.save()
        generate_renditions(image=image)  # nothing to do once they exist
        pictures[spec.key] = image
        tally.count("images", created)
    return pictures


def load_editors_choices(newsroom: Newsroom) -> None:
    """The reference story's pinned related stories and the front slots, as the constants above give them."""
    reference = Article.objects.get(
        section=newsroom.sections[REFERENCE_STORY.section], slug=REFERENCE_STORY.article_slug
    )
    pinned = [Article.objects.get(headline=headline) for headline in PINNED_RELATED]
    reference.related_pins.exclude(related__in=pinned).delete()
    for position, story in enumerate(pinned):
        RelatedPin.objects.update_or_create(article=reference, related=story, defaults={"position": position})
    for section_slug, headlines in FRONT_SLOTS.items():
        section = newsroom.sections[section_slug] if section_slug else None
        stories = [Article.objects.get(headline=headline) for headline in headlines]
        FrontSlot.objects.filter(section=section).exclude(article__in=stories).delete()
        for position, story in enumerate(stories):
            FrontSlot.objects.update_or_create(section=section, article=story, defaults={"position": position})


def load_reads() -> None:
    """A day of reader counts, so Trending has something to show (set, not added to, so reruns change nothing)."""
    ids = dict(Article.objects.filter(headline__in=MOST_READ).values_list("headline", "pk"))
    seed_views({ids[headline]: MOST_READ_TOP_COUNT // rank for rank, headline in enumerate(MOST_READ, start=1)})


def load_users(authors: dict[str, Author]) -> list[UserSpec]:
    """The demo accounts, with their known passwords (reset on every run so the printed ones always work)."""
    for spec in USERS:
        user = ensure_user(spec)
        if spec.group:
            user.groups.add(Group.objects.get(name=spec.group))
        if spec.author:
            Author.objects.filter(pk=authors[spec.author].pk).update(user=user)
    return list(USERS)


def ensure_user(spec: UserSpec) -> AbstractUser:
    user, _ = get_user_model().objects.update_or_create(
        username=spec.username,
        defaults={
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "email": f"{spec.username}@example.com",
            "is_staff": True,
            "is_superuser": spec.is_superuser,
            "is_active": True,
        },
    )
    # Rehashing an unchanged password would rewrite the row on every run for nothing.
    if not user.check_password(spec.password):
        user.set_password(spec.password)
        user.save(update_fields=["password"])
    return user


def plan_stories(now: datetime, rng: random.Random) -> list[tuple[StorySpec, Placement]]:
    """Every demo story with its state and times, in a fixed order (the random choices depend on it)."""
    published = Article.Status.PUBLISHED
    reference_at = latest_past_sept_5(now)
    plan = [(REFERENCE_STORY, Placement(published, reference_at))]
    plan += [(story, Placement(published, reference_at - before)) for story, before in RELATED_STORIES]
    plan += [(story, Placement(published, recent_time(now, rng))) for story in RECENT_STORIES]
    plan += [(story, Placement(Article.Status.DRAFT, written_at=now - timedelta(hours=3))) for story in DRAFT_STORIES]
    plan.append((IN_REVIEW_STORY, Placement(Article.Status.IN_REVIEW, written_at=now - timedelta(hours=2))))
    plan.append((SCHEDULED_STORY, Placement(published, tomorrow_morning(now), written_at=now - timedelta(hours=1))))
    plan.append((EXPIRED_STORY, Placement(published, now - timedelta(days=10), expire_at=now - timedelta(days=2))))
    return plan


def newsroom_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def latest_past_sept_5(now: datetime) -> datetime:
    """10:00 newsroom time on the most recent 5 September that has passed: the reference article's date."""
    local_now = now.astimezone(newsroom_zone())
    candidate = datetime(local_now.year, 9, 5, 10, tzinfo=newsroom_zone())
    return candidate if candidate <= now else candidate.replace(year=local_now.year - 1)


def recent_time(now: datetime, rng: random.Random) -> datetime:
    """A time in the last four weeks, on a five-minute mark, at least an hour ago."""
    return now - timedelta(hours=rng.randint(1, 28 * 24 - 1), minutes=5 * rng.randint(0, 11))


def tomorrow_morning(now: datetime) -> datetime:
    local_now = now.astimezone(newsroom_zone())
    tomorrow = local_now.date() + timedelta(days=1)
    return datetime(tomorrow.year, tomorrow.month, tomorrow.day, SCHEDULED_HOUR, tzinfo=newsroom_zone())


def load_story(story: StorySpec, placement: Placement, newsroom: Newsroom, rng: random.Random, tally: Tally) -> None:
    # Drawn for every story on every run, whatever is already stored, so each story gets the same draws each time.
    body = story_body(story, rng)
    if story.article_slug == BODY_PICTURE_STORY:
        lede, rest = body.split("\n", 1)
        body = f"{lede}\n<p>{newsroom.pictures['reference'].shortcode}</p>\n{rest}"
    credits = story.credits or random_credits(story.section, rng)
    now = timezone.now()
    went_live = placement.status == Article.Status.PUBLISHED and placement.publish_at <= now
    article, created = Article.objects.update_or_create(
        section=newsroom.sections[story.section],
        slug=story.article_slug,
        defaults={
            "headline": story.headline,
            "standfirst": story.standfirst,
            "body": body,
            "dateline": story.dateline,
            "status": placement.status,
            "publish_at": placement.publish_at,
            "expire_at": placement.expire_at,
            "embargo_until": None,
            "first_published_at": placement.publish_at if went_live else None,
            "lead_image": newsroom.pictures["reference" if story is REFERENCE_STORY else DESKS[story.section]],
        },
    )
    tally.count("articles", created)
    set_topics(article, story.topics, newsroom)
    set_credits(article, credits, newsroom)
    backdate(article, placement.last_edited_at)


def story_body(story: StorySpec, rng: random.Random) -> str:
    """5–9 paragraphs: the story's own opening followed by supporting paragraphs from its desk."""
    if story.paragraphs:
        paragraphs = list(story.paragraphs)
    else:
        pool = PARAGRAPHS[DESKS[story.section]]
        paragraphs = [story.lede, *rng.sample(pool, rng.randint(4, 8))]
    return "\n".join(f"<p>{escape(paragraph, quote=False)}</p>" for paragraph in paragraphs)


def random_credits(section: str, rng: random.Random) -> Credits:
    desk = DESKS[section]
    writers = [spec.slug for spec in AUTHORS if desk in spec.desks] or [spec.slug for spec in AUTHORS]
    # Columns are always signed by one writer; news copy mixes staff and wire bylines.
    styles, weights = zip(*BYLINE_STYLES, strict=True)
    style = "author" if desk == "opinion" else rng.choices(styles, weights)[0]
    match style:
        case "agencies":
            return BY_AGENCIES
        case "author":
            return Credits(authors=(rng.choice(writers),))
        case "author_and_wire":
            return Credits(authors=(rng.choice(writers),), agencies=(rng.choice(WIRES),))
        case "two_authors_and_reuters":
            pair = rng.sample(writers, 2) if len(writers) > 1 else rng.sample([spec.slug for spec in AUTHORS], 2)
            return Credits(authors=tuple(pair), agencies=("reuters",))
        case _:
            return Credits(agencies=(rng.choice(WIRES),))


def set_topics(article: Article, names: tuple[str, ...], newsroom: Newsroom) -> None:
    topics = [newsroom.topics[name] for name in names]
    current = list(article.tagged_items.order_by("pk").values_list("tag_id", flat=True))
    # Rewritten only when different, and then in order, so the first topic listed stays the story's main one.
    if current != [topic.pk for topic in topics]:
        article.topics.set(topics, clear=True)


def set_credits(article: Article, credits: Credits, newsroom: Newsroom) -> None:
    authors = [newsroom.authors[slug] for slug in credits.authors]
    article.bylines.exclude(author__in=authors).delete()
    for position, author in enumerate(authors):
        Byline.objects.update_or_create(article=article, author=author, defaults={"position": position})
    article.agencies.set([newsroom.agencies[slug] for slug in credits.agencies])


def backdate(article: Article, edited_at: datetime) -> None:
    """
    Make a demo story look written when it was published (or last edited, if unpublished). Saving stamps
    `updated_at` with the present, which would label every live demo story "Updated" and make each rerun change
    rows; a queryset update bypasses auto_now.
    """
    Article.objects.filter(pk=article.pk).update(created_at=edited_at, updated_at=edited_at)
