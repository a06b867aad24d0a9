"""Wording of the default question bank, "Collaboration health check v2".

Why a new version: a close reading of v1 (issue 20) found statements asking two things at once or
asking people to guess what others could do, too few reverse-worded statements, statements only
people in partnership meetings can answer (now *routed*: asked of them alone), ideas of the
source notes with no statement, and no question about where the partnership needs to be.

Keys: a statement whose idea is unchanged keeps its v1 key (its trend shows only where the
wording is unchanged too, DESIGN §5); a statement with a new idea, or split from one that asked
two things, has a new key. Condition keys are those of v1, so conditions trend and benchmark
across the versions. Guidance is not written here: load_default_banks carries it forward by
condition key from the latest published default bank.
"""

from __future__ import annotations

BANK_NAME = "Collaboration health check v2"
BANK_DESCRIPTION = (
    "A short check on how well the partners in a place work together, built around six "
    "conditions for good collaboration. Answer from your own experience: there are no right or "
    "wrong answers, and “don’t know” is always a fair answer."
)

SPECTRUM = {
    "prompt": "Which of these comes closest to how partners in this place work together now?",
    "help": "Pick the one closest to how things really are today.",
    "choices": {
        "cooperation": (
            "We work alongside each other, but each organisation is aiming for its own "
            "separate goals."
        ),
        "partnership": (
            "We have signed up to a plan or set of aims that someone else had already decided."
        ),
        "weak": (
            "One organisation sets the direction. The rest of us are invited to join in and are "
            "sometimes asked what we think."
        ),
        "strong": (
            "All partners agree the direction together and share the steering as things change."
        ),
    },
}

# The second spectrum question: the right way of working depends on what the partners face.
TARGET = {
    "prompt": (
        "And which of these comes closest to how partners need to work together, for what this "
        "place is trying to change?"
    ),
    "help": (
        "Some problems need everyone steering together; for others, working alongside each other "
        "is enough. Pick the one this place needs, whatever happens now."
    ),
}


def _s(key: str, text: str, *, help: str = "", reverse: bool = False, routed: bool = False):
    return {"key": key, "text": text, "help": help, "reverse_keyed": reverse, "routed": routed}


CONDITIONS = [
    {
        "key": "relationships",
        "name": "Relationships and trust",
        "description": (
            "Good collaboration rests on people knowing and trusting each other. These questions "
            "ask how strong the working relationships between partners really are."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about relationships and trust between "
            "partners?"
        ),
        "statements": [
            _s(
                "relationships_before_needed",
                "Partners in this place got to know each other well before a crisis made them "
                "need each other.",
            ),
            _s(
                "relationships_open_honest",
                "Partners are open and honest with each other, even when the news is unwelcome.",
            ),
            _s(
                "relationships_know_whom_to_call",
                "When a problem comes up, I know whom to contact in another partner organisation.",
            ),
            _s(
                "relationships_help_when_asked",
                "When I ask someone in another partner organisation for help, they do what they "
                "can.",
            ),
            _s(
                "relationships_small_orgs_looked_down_on",
                "Larger organisations here sometimes treat small local groups as less important "
                "partners.",
                help="Small local groups include community groups, small charities, faith groups "
                "and residents' groups.",
                reverse=True,
            ),
            _s(
                "relationships_all_levels",
                "Good working relationships exist at every level, including front-line staff and "
                "volunteers, not only between chief executives.",
            ),
            _s(
                "relationships_part_of_my_job",
                "Getting to know people in other partner organisations is treated as part of my "
                "role, not as something extra.",
                help="If you volunteer or are a resident, think of the part you play.",
            ),
            _s(
                "relationships_connector_funded",
                "The time it takes to bring partners together and keep them talking is properly "
                "paid for.",
                help="Someone, often a small charity or a council officer, does this connecting "
                "work. Is that time funded, or squeezed in around other jobs?",
                routed=True,
            ),
        ],
    },
    {
        "key": "vision",
        "name": "Shared vision and purpose",
        "description": (
            "Partners need a clear reason for working together that they all own. These questions "
            "ask whether that shared purpose exists and who it is really for."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about the shared vision and purpose of "
            "this partnership?"
        ),
        "statements": [
            _s(
                "vision_shaped_together",
                "All partners helped to shape the shared purpose of this partnership.",
                help="Shared purpose means what the partnership is trying to achieve together.",
                routed=True,
            ),
            _s(
                "vision_agenda_set_elsewhere",
                "The aims of this partnership had mostly been settled before most partners were "
                "asked to join.",
                reverse=True,
                routed=True,
            ),
            _s(
                "vision_own_targets_first",
                "In practice, each partner mostly works towards its own organisation's targets "
                "rather than our shared aims.",
                reverse=True,
            ),
            _s(
                "vision_people_first",
                "Our shared purpose is about what matters to the people and communities we serve, "
                "not what suits our organisations.",
            ),
            _s(
                "vision_voices_heard",
                "The people and communities we serve get a real chance to say what they need.",
                help="This includes people whose views are not often heard.",
            ),
            _s(
                "vision_voices_change_things",
                "What local people tell us changes what the partners actually do.",
            ),
            _s(
                "vision_i_can_explain",
                "I could explain in a sentence or two what this partnership is trying to achieve.",
            ),
            _s(
                "vision_time_to_imagine",
                "Partners make time to imagine together what this place could be like in the "
                "future.",
                help="For example, workshops or open conversations where nobody has to decide "
                "anything straight away.",
            ),
        ],
    },
    {
        "key": "principles",
        "name": "Shared principles and values",
        "description": (
            "Working well together depends on what partners believe about each other and about how "
            "to behave. These questions ask which values partners share in practice."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about the principles and values partners "
            "share?"
        ),
        "statements": [
            _s(
                "principles_respect_not_judge",
                "Partners treat each other with respect and do not rush to judge one another.",
            ),
            _s(
                "principles_value_contributions",
                "Partners value what each organisation brings, whether that is money, local "
                "knowledge, skills or the trust of a community.",
            ),
            _s(
                "principles_curious",
                "Partners are curious about how other organisations work and keen to learn from "
                "them.",
            ),
            _s(
                "principles_willing_to_try",
                "Partners are willing to try new things together, even when nobody can be sure "
                "they will work.",
            ),
            _s(
                "principles_compete_needlessly",
                "Partners go after work or funding that another partner is better placed to "
                "deliver.",
                help="For example, a large charity bidding for a contract that a local group "
                "could deliver better.",
                reverse=True,
            ),
            _s(
                "principles_disagreements_avoided",
                "When partners disagree, we tend to keep quiet to keep the peace rather than talk "
                "it through.",
                reverse=True,
            ),
            _s(
                "principles_candid_with_funders",
                "Partners can tell funders and commissioners honestly what is not working, "
                "without fearing for their funding.",
                help="Commissioners are the public bodies that decide which services to pay for.",
                routed=True,
            ),
        ],
    },
    {
        "key": "behaviours",
        "name": "Shared behaviours",
        "description": (
            "What people actually do, in meetings and day to day, can make or break a "
            "collaboration. These questions ask how partners behave when they work together."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about how partners behave when they work "
            "together?"
        ),
        "statements": [
            _s(
                "behaviours_whole_place",
                "In partnership meetings, people argue for what is best for the whole place, not "
                "just for their own organisation.",
                routed=True,
            ),
            _s(
                "behaviours_few_voices_dominate",
                "In partnership meetings, the same few people do most of the talking.",
                reverse=True,
                routed=True,
            ),
            _s(
                "behaviours_listening",
                "People really listen to each other, including to views they did not expect or "
                "do not share.",
            ),
            _s(
                "behaviours_enabling_others",
                "People with more experience or power help others to take the lead.",
            ),
            _s(
                "behaviours_defend_own_patch",
                "When a change is suggested, people tend to defend the way their own organisation "
                "already does things.",
                reverse=True,
            ),
            _s(
                "behaviours_front_line_design",
                "Front-line staff and volunteers help to design changes, not just carry out plans "
                "made by senior managers.",
                help="Front-line staff are the people who work directly with residents, patients "
                "or service users.",
            ),
            _s(
                "behaviours_front_line_permission",
                "Front-line staff and volunteers are trusted to try a new way of doing things "
                "without waiting for approval from the top.",
            ),
            _s(
                "behaviours_reflect_adapt",
                "We regularly stop to look at what is and is not working, and change our approach "
                "as a result.",
            ),
        ],
    },
    {
        "key": "infrastructure",
        "name": "Shared infrastructure",
        "description": (
            "Collaboration lasts longer when it is built into how things are organised, not left "
            "to goodwill. These questions ask about training, information, money and the way the "
            "partnership is run."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about the shared arrangements that "
            "support this partnership?"
        ),
        "statements": [
            _s(
                "infrastructure_cross_sector_training",
                "Staff and volunteers from different sectors get chances to train and develop "
                "together.",
                help="Sectors include the council, the NHS, charities, community groups, "
                "businesses and faith groups.",
            ),
            _s(
                "infrastructure_learning_spaces",
                "There are regular times and places where partners share what they have learned, "
                "including what went wrong.",
            ),
            _s(
                "infrastructure_jargon_shuts_out",
                "Jargon and abbreviations used by other partner organisations often leave me "
                "unsure what is meant.",
                reverse=True,
            ),
            _s(
                "infrastructure_shared_information",
                "I can get the information I need from other partners to do my part well.",
                help="For example, figures about local needs, shared within data protection rules.",
            ),
            _s(
                "infrastructure_rigid_plans",
                "Fixed organisational plans and targets stop partners changing course when they "
                "learn something new.",
                reverse=True,
            ),
            _s(
                "infrastructure_survives_people_moving_on",
                "If key people left tomorrow, the way we work together would carry on without "
                "them.",
            ),
            _s(
                "infrastructure_governance_fits",
                "The way this partnership is formally run suits what we are trying to do, without "
                "getting in the way.",
                help="This means the formal rules, such as who sits on which group and how "
                "decisions are agreed and recorded.",
                routed=True,
            ),
            _s(
                "infrastructure_funding_helps",
                "The way funding, contracts and commissioning work here helps partners work "
                "together rather than pushing them to compete.",
                help="Commissioning is how public bodies decide which services to pay for and who "
                "provides them.",
                routed=True,
            ),
        ],
    },
    {
        "key": "leadership",
        "name": "Shared leadership and power",
        "description": (
            "In strong collaboration, partners steer together and no one organisation is in "
            "charge. These questions ask who really holds the power in this partnership."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about how leadership and power are "
            "shared in this partnership?"
        ),
        "statements": [
            _s(
                "leadership_one_decides",
                "In practice, one organisation usually makes the decisions and the rest of us are "
                "just told about them.",
                reverse=True,
                routed=True,
            ),
            _s(
                "leadership_joint_decisions",
                "Important decisions, including how money is spent, are made jointly by the "
                "partners.",
                routed=True,
            ),
            _s(
                "leadership_small_orgs_influence",
                "Small and local organisations have real influence over what this partnership "
                "decides.",
                help="Real influence means their views change decisions, not just that they are "
                "asked.",
                routed=True,
            ),
            _s(
                "leadership_spread_all_levels",
                "Front-line staff, volunteers and residents can lead pieces of work here, not "
                "only senior managers.",
            ),
            _s(
                "leadership_my_ideas_count",
                "If I suggested a better way of doing something, it would be taken seriously.",
            ),
            _s(
                "leadership_wait_to_be_told",
                "People like me mostly wait to hear what has been decided somewhere else.",
                reverse=True,
            ),
            _s(
                "leadership_kind_generous",
                "People in leading roles here treat others with kindness and generosity.",
            ),
            _s(
                "leadership_shared_success",
                "Partners accept that none of us can really succeed unless the partnership as a "
                "whole succeeds.",
            ),
        ],
    },
]
