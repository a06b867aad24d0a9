"""Wording of the default question bank, "Collaboration health check v1".

Why: load_default_bank reads this data to create the published default bank.
Condition and statement keys are stable across bank versions, so trends can
match statements by key; change wording in a new bank version, never the keys.
"""

from __future__ import annotations

BANK_NAME = "Collaboration health check v1"
BANK_DESCRIPTION = (
    "A short check on how well the partners in a place work together, built around six "
    "conditions for good collaboration. Answer from your own experience: there are no "
    "right or wrong answers."
)

SPECTRUM = {
    "prompt": "Which of these comes closest to how partners in this place work together?",
    "help": "Pick the one that is closest to how things really are now, not how you would like them to be.",
    "choices": {
        "cooperation": (
            "We work alongside each other, but each organisation is aiming for its own separate goals."
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
            {
                "key": "relationships_before_needed",
                "text": (
                    "Partners in this place got to know each other well before a crisis made "
                    "them need each other."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "relationships_open_honest",
                "text": "Partners are open and honest with each other, even when the news is unwelcome.",
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "relationships_easy_contact",
                "text": (
                    "When a problem comes up, I know who to ring in another partner "
                    "organisation, and they will help to sort it out."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "relationships_small_orgs_looked_down_on",
                "text": (
                    "Larger organisations here sometimes treat small local groups as less "
                    "important partners."
                ),
                "help": (
                    "Small local groups include community groups, small charities, faith groups "
                    "and residents' groups."
                ),
                "reverse_keyed": True,
            },
            {
                "key": "relationships_connector_resourced",
                "text": (
                    "The connector role in this place is valued, and the time it takes is "
                    "properly paid for."
                ),
                "help": (
                    "The connector is the person or organisation that brings partners together "
                    "and keeps them talking."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "relationships_all_levels",
                "text": (
                    "Good working relationships exist at every level, including front-line staff "
                    "and volunteers, not only between chief executives."
                ),
                "help": "",
                "reverse_keyed": False,
            },
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
            {
                "key": "vision_shaped_together",
                "text": "All partners helped to shape the shared purpose of this partnership.",
                "help": "Shared purpose means what the partnership is trying to achieve together.",
                "reverse_keyed": False,
            },
            {
                "key": "vision_own_targets_first",
                "text": (
                    "In practice, each partner mostly works towards its own organisation's "
                    "targets rather than our shared aims."
                ),
                "help": "",
                "reverse_keyed": True,
            },
            {
                "key": "vision_people_first",
                "text": (
                    "Our shared purpose is about what matters to the people and communities we "
                    "serve, not what suits our organisations."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "vision_voices_acted_on",
                "text": (
                    "The people and communities we serve are listened to, and what they say "
                    "changes what we do."
                ),
                "help": "This includes people whose views are not often heard.",
                "reverse_keyed": False,
            },
            {
                "key": "vision_simple_to_explain",
                "text": (
                    "Our shared purpose is simple enough that anyone involved, from board members "
                    "to volunteers, could explain it in a sentence or two."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "vision_time_to_imagine",
                "text": (
                    "Partners make time and space to imagine together what this place could be "
                    "like in the future."
                ),
                "help": (
                    "For example, workshops or open conversations where nobody has to decide "
                    "anything straight away."
                ),
                "reverse_keyed": False,
            },
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
            {
                "key": "principles_respect_not_judge",
                "text": "Partners treat each other with respect and do not rush to judge one another.",
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "principles_value_contributions",
                "text": (
                    "Partners value what each organisation brings, whether that is money, local "
                    "knowledge, skills or the trust of a community."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "principles_curious",
                "text": (
                    "Partners are curious about how other organisations work and keen to learn "
                    "from them."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "principles_willing_to_try",
                "text": (
                    "Partners are willing to try new things together, even when they cannot be "
                    "sure it will work."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "principles_no_needless_competition",
                "text": (
                    "Partners hold back from bidding against each other for work that another "
                    "partner is better placed to do."
                ),
                "help": (
                    "For example, a large charity choosing not to go for a contract that a local "
                    "group could deliver better."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "principles_disagreements_avoided",
                "text": (
                    "When partners disagree, we tend to keep quiet to keep the peace rather than "
                    "talk it through."
                ),
                "help": "",
                "reverse_keyed": True,
            },
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
            {
                "key": "behaviours_whole_place",
                "text": (
                    "When we meet, people think about what is best for the whole place, not just "
                    "for their own organisation."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "behaviours_few_voices_dominate",
                "text": "In our meetings, the same few people tend to do most of the talking.",
                "help": "",
                "reverse_keyed": True,
            },
            {
                "key": "behaviours_listening",
                "text": (
                    "People really listen to each other, including to views they did not expect "
                    "or do not share."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "behaviours_enabling_others",
                "text": (
                    "Partners help others to take the lead, learn new skills and grow in "
                    "confidence, rather than doing everything themselves."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "behaviours_front_line_design",
                "text": (
                    "Front-line staff and volunteers help to design changes, not just carry out "
                    "plans made by senior managers."
                ),
                "help": (
                    "Front-line staff are the people who work directly with residents, patients "
                    "or service users."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "behaviours_reflect_adapt",
                "text": (
                    "We regularly stop to look at what is and is not working, and change our "
                    "approach as a result."
                ),
                "help": "",
                "reverse_keyed": False,
            },
        ],
    },
    {
        "key": "infrastructure",
        "name": "Shared infrastructure",
        "description": (
            "Collaboration lasts longer when it is built into how things are organised, not left to "
            "goodwill. These questions ask about training, information, money and the way the "
            "partnership is run."
        ),
        "comment_prompt": (
            "Is there anything else you would like to say about the shared arrangements that "
            "support this partnership?"
        ),
        "statements": [
            {
                "key": "infrastructure_cross_sector_training",
                "text": (
                    "Staff and volunteers from different sectors get chances to train and develop "
                    "together."
                ),
                "help": (
                    "Sectors include the council, the NHS, charities, community groups, businesses "
                    "and faith groups."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "infrastructure_learning_spaces",
                "text": (
                    "There are regular times and places where partners share what they have "
                    "learned, including what went wrong."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "infrastructure_shared_language",
                "text": (
                    "Partners use plain words that everyone understands, so jargon and "
                    "abbreviations do not shut anyone out."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "infrastructure_shared_information",
                "text": (
                    "Partners share the information and data they need to work well together, "
                    "safely and in good time."
                ),
                "help": (
                    "For example, figures about local needs, shared within data protection rules."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "infrastructure_governance_fits",
                "text": (
                    "The way this partnership is formally run suits what we are trying to do, "
                    "without getting in the way."
                ),
                "help": (
                    "This means the formal rules, such as who sits on which group and how "
                    "decisions are agreed and recorded."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "infrastructure_funding_helps",
                "text": (
                    "The way funding, contracts and commissioning work here helps partners work "
                    "together rather than pushing them to compete."
                ),
                "help": (
                    "Commissioning is how public bodies decide which services to pay for and who "
                    "provides them."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "infrastructure_survives_people_moving_on",
                "text": (
                    "If key people left tomorrow, the way we work together would carry on without "
                    "them."
                ),
                "help": "",
                "reverse_keyed": False,
            },
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
            {
                "key": "leadership_direction_agreed",
                "text": "The direction of this partnership has been agreed by all partners together.",
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "leadership_one_decides",
                "text": (
                    "In practice, one organisation usually makes the decisions and the rest of us "
                    "are just told about them."
                ),
                "help": "",
                "reverse_keyed": True,
            },
            {
                "key": "leadership_joint_decisions",
                "text": (
                    "Important decisions, including how money is spent, are made jointly by the "
                    "partners."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "leadership_small_orgs_influence",
                "text": (
                    "Small and local organisations have real influence over what this partnership "
                    "decides and does."
                ),
                "help": (
                    "Real influence means their views change decisions, not just that they are "
                    "asked."
                ),
                "reverse_keyed": False,
            },
            {
                "key": "leadership_spread_all_levels",
                "text": (
                    "Leadership is shared across all levels, so front-line staff, volunteers and "
                    "residents can lead things too."
                ),
                "help": "",
                "reverse_keyed": False,
            },
            {
                "key": "leadership_shared_success",
                "text": (
                    "Partners accept that none of us can really succeed unless the partnership as "
                    "a whole succeeds."
                ),
                "help": "",
                "reverse_keyed": False,
            },
        ],
    },
]
