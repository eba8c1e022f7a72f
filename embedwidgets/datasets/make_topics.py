"""Generate ``topics.csv``: a few thousand short texts on ten clearly different topics.

Run it from the repository root to rebuild the file (the output is the same on every run and machine):

    python -m embedwidgets.datasets.make_topics            # writes embedwidgets/datasets/topics.csv
    python -m embedwidgets.datasets.make_topics --check    # exits 1 if the stored file is out of date

How the texts are made: every topic has a few frames (sub-themes), each with lead sentences that have named
slots and with tail sentences, plus general tail sentences for the whole topic and the topic's own word lists
for the slots. A seeded random generator picks a lead, fills its slots and usually adds a tail (from the lead's
frame or from the topic's general tails). Two texts with the same lead may share at most ``MAX_OVERLAP`` of
their words, which keeps word-for-word near-copies out of the corpus.
Then a few texts are planted for the lessons on data cleaning:

- ``planted == "duplicate"``: a copy of an existing text with a tiny edit (``duplicate_of`` names the
  original's id), for near-duplicate detection;
- ``planted == "outlier"``: an off-topic oddity (topic ``"other"``), for outlier detection.

Finally the rows are shuffled and numbered, so the topics are interleaved as in real data.
All the text here was written for embedwidgets and is dedicated to the public domain (CC0 1.0).
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import re
import string
import sys
from pathlib import Path

SEED = 20240607
PER_TOPIC = 200
TAIL_SHARE = 0.75
MAX_OVERLAP = 0.45
TOPIC_TAIL_SHARE = 0.5
OUT = Path(__file__).resolve().parent / "topics.csv"
COLUMNS = ["id", "text", "topic", "planted", "duplicate_of"]

# ---- the topics: sentence frames and word lists ----------------------------------------------------
# Each topic has a few frames (sub-themes). A text is a lead sentence from a frame, usually followed by a
# tail sentence from the same frame or from the topic's own tails. A slot like "{team2}" that has no list of
# its own draws from the list "team" and never repeats the value of another "team" slot in the same text.

TOPICS: dict[str, dict] = {}

TOPICS["football"] = {
    "tails": [
        "Football supporters will be arguing about it in the pubs all week.",
        "It is the main talking point among football fans this week.",
        "The club's supporters will follow every twist of the football season closely.",
        "Life in the football league never stands still for long.",
        "Football pundits on television had plenty to say about it.",
        "It has been an eventful season for the club, its players and its fans.",
        "The football club's manager will discuss it at his press conference on Friday.",
        "Football is never short of drama, on the pitch or off it.",
    ],
    "frames": [
        {
            "leads": [
                "{team} beat {team2} {score} {day}, with {player} scoring {goal} {minute}.",
                "{player} came off the bench to score {goal} {minute}, rescuing a point for {team} away at {team2}.",
                "Supporters booed at full time after {team} lost {score} at home to {team2} {day}.",
                "{player} was sent off {minute} for a reckless tackle, leaving {team} with ten men against {team2}.",
                "The referee gave {team} a penalty {minute} for handball, and "
                "{player} sent the goalkeeper the wrong way.",
                "{team} knocked {team2} out of {cup} thanks to {goal} {minute}.",
                "{team} and {team2} played out a {mood} {draw} draw in front of a full stadium {day}.",
                "Relegation-threatened {team} earned a vital away win at {team2} through {goal} {minute}.",
                "{team} dominated possession against {team2} {day} but never found a way past their goalkeeper.",
                "A flying save from the goalkeeper {player} {minute} kept {team} alive in {cup}.",
                "A goal by {player} was ruled out for offside by the video "
                "referee, and {team} went on to lose to {team2}.",
            ],
            "tails": [
                "The home fans sang long after the final whistle.",
                "It was their first away win in the league since October.",
                "The manager said his players had finally shown some fight on the pitch.",
                "The visitors hit the crossbar twice in a lively first half.",
                "The result lifts the club into the top four of the league table.",
                "Heavy rain made the pitch sticky and the passing ragged.",
                "Next up for the team is a tricky away match against the league leaders.",
                "Both managers complained about the refereeing after the match.",
                "The goalkeeper was named man of the match after several fine saves.",
                "The away supporters left the stadium well before the final whistle.",
                "Replays suggested the referee had got the big decision wrong.",
            ],
        },
        {
            "leads": [
                "{team} have signed the {position} {player} from {team2} for {fee}.",
                "{player} has signed a new {years}-year contract with {team}, ending talk of a move to {team2}.",
                "The transfer window shuts on Friday and {team} are still searching for a new {position}.",
                "Academy graduate {player} made his debut for {team} {day} and looked assured as a {position}.",
                "After {count} seasons at {team}, the veteran {position} "
                "{player} will retire at the end of the season.",
                "{team} have rejected a bid of {fee} from {team2} for their young {position} {player}.",
                "The {position} {player} joins {team} on loan from {team2} until the end of the season.",
            ],
            "tails": [
                "He passed his medical at the club's training ground earlier in the week.",
                "Supporters have welcomed the signing on the club's social media pages.",
                "The transfer deal includes a sell-on clause and bonuses for goals scored.",
                "The club's sporting director called the transfer a statement of ambition.",
                "He could go straight into the matchday squad for the weekend.",
                "Several other clubs in the league had tried to sign him during the summer.",
                "His agent said negotiations with the club went on late into the night.",
                "The fee could rise if the team qualifies for European football.",
                "He thanked the fans for their support at the stadium over the years.",
                "The manager believes he will strengthen the squad for the title race.",
            ],
        },
        {
            "leads": [
                "The {position} {player} will miss {spell} with {injury} picked up in training.",
                "{team} sacked their head coach after {count} league games without a win.",
                "{team}'s manager praised his back four after a clean sheet against {team2} in {competition}.",
                "{team} are top of the table after {count} straight wins, three points clear of {team2}.",
                "The {position} {player} has scored in each of his last {count} matches for {team}.",
                "{player} finished the season as the league's top scorer with {goals} goals for {team}.",
                "The squad at {team} trained behind closed doors ahead of the derby against {team2}.",
                "{team} will face {team2} in the final of {cup} after winning a penalty shoot-out.",
            ],
            "tails": [
                "The club's medical staff will assess his fitness again before the next match.",
                "The board is expected to name a new manager within days.",
                "The coaching staff have switched the team to a back three in defence.",
                "Supporters have started to dream of a first league title in decades.",
                "It is a remarkable turnaround for a side tipped for relegation.",
                "The manager wants money from the board to sign players in January.",
                "Several first-team players are still missing through injury.",
                "The squad were given two days off training before the next fixture.",
                "Season ticket sales have jumped since the new manager arrived at the club.",
                "The striker's goals have kept the team in the race for the league title.",
            ],
        },
    ],
    "slots": {
        "team": [
            "Arsenal",
            "Chelsea",
            "Liverpool",
            "Everton",
            "Leeds",
            "Celtic",
            "Rangers",
            "Ajax",
            "Benfica",
            "Porto",
            "Juventus",
            "Napoli",
            "Sevilla",
            "Valencia",
            "Lyon",
            "Marseille",
            "Dortmund",
            "Fulham",
            "Brighton",
            "Villarreal",
        ],
        "player": [
            "Okafor",
            "Silva",
            "Moreno",
            "Jensen",
            "Kowalski",
            "Dubois",
            "Haddad",
            "Ferreira",
            "Murphy",
            "Novak",
            "Rossi",
            "Lindqvist",
            "Mensah",
            "Tanaka",
            "Costa",
            "Walsh",
            "Bakker",
            "Petrov",
        ],
        "score": ["2-1", "3-0", "1-0", "4-1", "3-2", "2-0", "4-2", "5-1"],
        "draw": ["1-1", "2-2", "0-0", "3-3"],
        "day": [
            "on Saturday",
            "on Sunday afternoon",
            "on Tuesday night",
            "at the weekend",
            "last night",
            "on Wednesday evening",
        ],
        "goal": [
            "a curling free kick",
            "a thumping header",
            "a coolly taken penalty",
            "a low shot into the far corner",
            "a tap-in at the back post",
            "a volley from the edge of the box",
            "a long-range strike",
            "a deflected effort",
        ],
        "minute": [
            "in the 89th minute",
            "just before half-time",
            "deep into stoppage time",
            "in the opening minute",
            "midway through the second half",
            "on the hour mark",
            "early in the second half",
        ],
        "position": ["striker", "winger", "goalkeeper", "centre-back", "midfielder", "full-back", "defender"],
        "fee": [
            "a club-record fee",
            "an undisclosed fee",
            "40 million pounds",
            "25 million euros",
            "12 million pounds",
            "a nominal fee",
        ],
        "injury": [
            "a hamstring strain",
            "a knee injury",
            "a broken ankle",
            "a groin problem",
            "a calf tear",
            "an ankle ligament injury",
        ],
        "spell": [
            "three weeks",
            "two months",
            "the rest of the season",
            "six weeks",
            "ten days",
            "the next four games",
        ],
        "competition": [
            "the league",
            "the cup tie",
            "the Champions League",
            "the derby",
            "the semi-final",
            "the first leg",
        ],
        "cup": ["the cup", "the Champions League", "the Europa League", "the League Cup", "the quarter-finals"],
        "count": ["five", "six", "seven", "eight", "nine", "ten"],
        "years": ["two", "three", "four", "five"],
        "goals": ["18", "21", "23", "26", "29", "31"],
        "mood": ["tense", "scrappy", "thrilling", "bad-tempered", "entertaining", "nervy"],
    },
}

TOPICS["cooking"] = {
    "tails": [
        "Good home cooking is mostly about patience and tasting as you go.",
        "Cooks of every level can manage it in a home kitchen.",
        "It is a simple kitchen trick that every home cook should know.",
        "Fresh ingredients make all the difference in the kitchen.",
        "Recipes like this are the backbone of everyday home cooking.",
        "A well-stocked kitchen cupboard makes cooking like this easy.",
        "Cooking at home is cheaper and tastier than a takeaway.",
        "Keep a note of what worked in your recipe book for next time.",
    ],
    "frames": [
        {
            "leads": [
                "Toast the {spice} in a dry pan before adding them to the {dish}.",
                "For a richer {dish}, stir in a spoonful of {fat} just before serving.",
                "Season the {dish} with {flavour} and a pinch of salt, then taste and adjust.",
                "This {dish} serves {people} and can be made a day ahead and gently reheated.",
                "Swap the {flavour} for {flavour2} to give the {dish} a different twist.",
                "Leftover {dish} keeps in the fridge for {days} days and also freezes well.",
                "Tonight's {meal} is a one-pot {dish} that needs only {minutes} minutes on the hob.",
                "Grate the {cheese} finely so it melts evenly into the {dish}.",
                "Finish the {dish} with a handful of chopped {herb} and a squeeze of lime.",
            ],
            "tails": [
                "Serve it with crusty bread or a bowl of steamed rice.",
                "A splash of wine in the pot deepens the flavour of the sauce.",
                "Even fussy eaters usually ask for a second helping of this dish.",
                "The recipe tastes even better the next day, once the flavours have mingled.",
                "Keep the heat low so nothing catches on the bottom of the pan.",
                "Add a little more stock if the sauce starts to look dry.",
                "A dollop of yoghurt on top cools down the spices nicely.",
                "Double the recipe and freeze half for a busy weeknight supper.",
                "Stir it now and then with a wooden spoon while it simmers.",
                "Taste the sauce and add more salt or lemon juice if it needs it.",
            ],
        },
        {
            "leads": [
                "Bake the {cake} at {temp} for {minutes} minutes, until a "
                "skewer pushed into the middle comes out clean.",
                "Let the dough rest for {minutes} minutes so the gluten relaxes and the {bread} are easier to shape.",
                "Fold the whisked egg whites gently into the {batter} so it stays light and airy.",
                "Blind-bake the pastry case for {minutes} minutes before pouring in the filling for the {tart}.",
                "Chill the {pastry} for {minutes} minutes before rolling, so "
                "the butter stays cold and the crust flakes.",
                "Cream the butter and sugar for {cake} until the mixture turns pale and fluffy.",
                "Brush the {bread} with beaten egg before baking for a glossy golden crust.",
            ],
            "tails": [
                "Cool the bake on a wire rack before slicing it.",
                "Weigh the flour and sugar instead of using cups for reliable baking.",
                "Open the oven door as little as possible while it bakes.",
                "A dusting of icing sugar is all the decoration this bake needs.",
                "Room-temperature eggs and butter mix into the batter more smoothly.",
                "Line the baking tin with greaseproof paper so nothing sticks.",
                "Every oven bakes differently, so start checking a few minutes early.",
                "Sift the flour twice if you want a really fine crumb.",
                "A pinch of salt in sweet baking makes the flavours sing.",
                "Wrap the cooled loaf in foil and it stays moist for days.",
            ],
        },
        {
            "leads": [
                "Sear the {meat} in a hot {searpan} until browned on all sides, then finish cooking in the oven.",
                "Roast the {veg} with {flavour} and olive oil until the edges caramelise.",
                "Marinate the {meat} overnight in yoghurt, lemon and {flavour} to make it tender.",
                "Don't overcrowd the {pan}, or the {veg} will steam instead of browning.",
                "Deglaze the {pan} with a splash of {liquid} to lift the browned bits into the {sauce}.",
                "If your {sauce} is too thin, simmer it uncovered for {minutes} more minutes until it thickens.",
                "Cook the {pasta} in plenty of salted water and save a cup of the cooking water for the {pastasauce}.",
                "Soak the {pulse} overnight and they will cook in half the time.",
            ],
            "tails": [
                "Pat the meat dry with kitchen paper first so it browns properly in the pan.",
                "Rest the meat for ten minutes before carving so the juices settle.",
                "A meat thermometer takes the guesswork out of roasting.",
                "Season generously with salt and pepper, as most home cooks under-season.",
                "Scrape up the sticky bits from the bottom of the pan, because that is where the flavour is.",
                "Finish the sauce with a knob of butter to make it glossy.",
                "Keep the oven hot and resist the urge to stir the tray too often.",
                "Taste as you cook and add a pinch of sugar if the sauce is too sharp.",
                "Serve straight from the pan with a green salad on the side.",
                "A squeeze of lemon just before serving lifts the whole dish.",
            ],
        },
    ],
    "slots": {
        "spice": [
            "cumin seeds",
            "coriander seeds",
            "fennel seeds",
            "mustard seeds",
            "peppercorns",
            "cardamom pods",
            "sesame seeds",
        ],
        "dish": [
            "risotto",
            "beef stew",
            "chicken curry",
            "tomato soup",
            "fish pie",
            "lentil dahl",
            "chilli",
            "mushroom stroganoff",
            "shepherd's pie",
            "vegetable lasagne",
            "bean casserole",
            "paella",
        ],
        "fat": ["butter", "cream", "mascarpone", "creme fraiche", "grated parmesan", "olive oil"],
        "cake": [
            "banana bread",
            "carrot cake",
            "lemon drizzle cake",
            "sponge cake",
            "ginger loaf",
            "chocolate brownies",
            "fruit cake",
        ],
        "temp": ["160 degrees", "170 degrees", "180 degrees", "190 degrees"],
        "minutes": ["ten", "fifteen", "twenty", "twenty-five", "thirty", "forty"],
        "bread": ["pizza bases", "flatbreads", "bread rolls", "bagels", "pretzels", "cinnamon buns"],
        "flavour": [
            "garlic",
            "fresh ginger",
            "smoked paprika",
            "lemon zest",
            "chilli flakes",
            "miso paste",
            "harissa",
            "soy sauce",
            "maple syrup",
            "ground cinnamon",
        ],
        "people": ["four", "six", "eight", "two hungry people"],
        "meat": [
            "chicken thighs",
            "lamb shoulder",
            "pork chops",
            "beef brisket",
            "salmon fillets",
            "duck breasts",
            "tofu",
        ],
        "pan": ["frying pan", "wok", "casserole dish", "roasting tin", "skillet", "saucepan"],
        "sauce": ["gravy", "tomato sauce", "curry sauce", "bolognese", "cheese sauce", "pan sauce"],
        "batter": ["cake mixture", "souffle base", "pancake batter", "chocolate mousse", "meringue mixture"],
        "days": ["two", "three", "four"],
        "veg": [
            "carrots",
            "parsnips",
            "butternut squash",
            "cauliflower",
            "sweet potatoes",
            "brussels sprouts",
            "mushrooms",
            "aubergines",
        ],
        "meal": ["dinner", "supper", "lunch", "family meal"],
        "tart": ["lemon tart", "quiche", "treacle tart", "custard tart", "onion tart", "apple tart"],
        "cheese": ["parmesan", "cheddar", "gruyere", "pecorino", "comte"],
        "pulse": ["chickpeas", "kidney beans", "black beans", "butter beans", "split peas", "haricot beans"],
        "liquid": ["white wine", "stock", "cider", "sherry", "red wine vinegar"],
        "pastry": ["shortcrust pastry", "pie dough", "sweet pastry", "rough puff pastry"],
        "herb": ["coriander", "parsley", "basil", "mint", "chives", "dill"],
        "pastasauce": ["tomato sauce", "pesto", "cheese sauce", "bolognese", "carbonara"],
        "searpan": ["frying pan", "cast-iron skillet", "heavy casserole dish", "griddle pan"],
        "pasta": ["spaghetti", "penne", "linguine", "rigatoni", "orzo", "tagliatelle"],
    },
}

TOPICS["astronomy"] = {
    "tails": [
        "Astronomers and stargazers alike are excited about what the night sky holds this year.",
        "Space and astronomy fans can follow the news on the space agency's website.",
        "The universe never runs out of surprises for astronomers.",
        "Stargazing and astronomy are more popular than ever.",
        "Planets, stars and galaxies keep astronomers busy all year round.",
        "Astronomy clubs report a surge of new members interested in the night sky.",
        "It is a reminder of how vast and strange the universe is.",
        "Space scientists say the coming years will be an exciting time for astronomy.",
    ],
    "frames": [
        {
            "leads": [
                "{planet} will be visible low in the {direction} sky after sunset {visible}.",
                "The {shower} meteor shower peaks {soon}, with up to {rate} shooting stars an hour under dark skies.",
                "{outer} reaches opposition {soon}, when it is closest to Earth and brightest for the year.",
                "The International Space Station passes overhead {soon}, gliding across the sky like a bright star.",
                "The crescent Moon will sit close to {planet} {soon}, a lovely pairing for binoculars.",
                "Through {instrument} you can see {deepsky} as a faint misty patch on a moonless night.",
                "Let your {scope} cool outside for {minutes} minutes before "
                "observing to get steadier views of {planet}.",
                "Amateur astronomers photographed {deepsky} with {instrument} and a long exposure.",
                "Sunspot numbers are rising, so auroras may be seen {aurora} {season}.",
                "A total solar eclipse will cross {eclipse}, darkening the sky for a few minutes in the daytime.",
            ],
            "tails": [
                "Find a spot away from streetlights and let your eyes adapt to the dark sky for twenty minutes.",
                "A star chart app on your phone will help you find it among the constellations.",
                "Even a modest pair of binoculars shows far more stars than the naked eye.",
                "Never look at the Sun through a telescope without a proper solar filter.",
                "Local astronomy clubs often hold free stargazing evenings with their telescopes.",
                "The best views of the night sky come after midnight, once the Moon has set.",
                "Wrap up warm, because stargazing means standing still under the night sky for hours.",
                "A red torch preserves your night vision while you read the star map.",
                "Clear, moonless nights give the darkest skies for spotting faint stars.",
                "Point the telescope a little to one side of it to catch the faint glow.",
            ],
        },
        {
            "leads": [
                "Astronomers using {telescope} found water vapour in the "
                "atmosphere of an exoplanet {distance} light-years away.",
                "A new image of {deepsky} from {telescope} reveals thousands of newborn stars.",
                "A supermassive black hole at the centre of {galaxy} is swallowing gas unusually fast, say {team}.",
                "Astronomers detected a fast radio burst from a galaxy {gly} billion light-years away, {team} report.",
                "Spectra from {telescope} show that {star} is surrounded by a "
                "disc of dust where planets may be forming.",
                "Gravitational waves from two merging {objects} reached detectors on Earth {past}.",
                "{team} measured the expansion of the universe using exploding stars in {galaxy}.",
                "{team} spotted a galaxy that formed only a few hundred million years after the Big Bang.",
            ],
            "tails": [
                "The findings were published in a leading astronomy journal.",
                "The starlight they studied set out billions of years ago.",
                "More telescope observations are planned to confirm the result.",
                "It challenges long-held ideas about how galaxies and stars form.",
                "The space telescope's infrared camera made the discovery possible.",
                "Astronomers call it one of the most surprising results in cosmology this decade.",
                "Computer simulations of the early universe had not predicted anything like it.",
                "The astronomers now hope to find more examples across the sky.",
                "The observations took dozens of hours of telescope time.",
                "Radio astronomers around the world joined forces to make the measurement.",
            ],
        },
        {
            "leads": [
                "{moon}, may hide a salty liquid ocean beneath its icy crust.",
                "The {rover} rover drilled into a {rock} rock on Mars that may preserve traces of ancient water.",
                "A {size} asteroid will pass safely by Earth {soon}, several times farther away than the Moon.",
                "{team} discovered a comet that could become visible to the naked eye {soon}.",
                "A rocket carrying a new space telescope will launch {soon} to map {target}.",
                "The orbit of {moon2} is slowly changing because of tidal forces, {team} report.",
                "A space probe will fly past {outer} {soon} and send back close-up images of its clouds.",
                "{constellation}",
            ],
            "tails": [
                "Mission scientists at the space agency are already planning the next steps.",
                "Planetary scientists think it could be a place to search for life beyond Earth.",
                "Radar images from large telescopes will pin down its size and spin.",
                "The spacecraft has been travelling through the solar system for years.",
                "Engineers designed the probe to survive temperatures far below freezing in deep space.",
                "It is a reminder of how much of our solar system is still unexplored.",
                "The spacecraft's data will take months to beam back to Earth.",
                "Space agencies share their tracking data on asteroids and comets.",
                "The planet's moons and rings will be studied in detail by the orbiter.",
                "The launch will be streamed live from the space centre.",
            ],
        },
    ],
    "slots": {
        "planet": ["Venus", "Mars", "Jupiter", "Saturn", "Mercury"],
        "outer": ["Mars", "Jupiter", "Saturn", "Uranus", "Neptune"],
        "direction": ["western", "eastern", "south-western", "south-eastern"],
        "visible": ["this week", "all month", "through early spring", "for the next few weeks", "until mid-May"],
        "soon": [
            "this week",
            "next Tuesday",
            "in early spring",
            "later this year",
            "at the end of the month",
            "on Friday night",
        ],
        "past": ["last week", "earlier this year", "last spring", "last month", "on a quiet night in May"],
        "telescope": [
            "the James Webb Space Telescope",
            "the Hubble Space Telescope",
            "a giant radio telescope",
            "the Very Large Telescope",
            "an infrared space observatory",
        ],
        "distance": ["40", "120", "260", "700", "1,300"],
        "eclipse": [
            "northern Spain in 2026",
            "North Africa in 2027",
            "Australia in 2028",
            "southern Africa in 2030",
            "Alaska in 2033",
        ],
        "shower": ["Perseid", "Geminid", "Leonid", "Quadrantid", "Orionid", "Lyrid"],
        "rate": ["20", "50", "80", "100", "120"],
        "moon": [
            "Europa, an icy moon of Jupiter",
            "Enceladus, a small moon of Saturn",
            "Ganymede, the largest moon of Jupiter",
            "Callisto, a cratered moon of Jupiter",
        ],
        "moon2": ["Phobos", "Titan", "Triton", "Io", "our own Moon"],
        "instrument": [
            "a small backyard telescope",
            "a pair of binoculars",
            "a wide-field camera",
            "a beginner's refractor",
            "a second-hand reflector telescope",
        ],
        "deepsky": [
            "the Andromeda Galaxy",
            "the Orion Nebula",
            "the Pleiades cluster",
            "the Crab Nebula",
            "the Whirlpool Galaxy",
            "the Ring Nebula",
            "the Lagoon Nebula",
        ],
        "rover": ["Perseverance", "Curiosity"],
        "rock": ["layered", "reddish", "fine-grained", "sedimentary", "clay-rich"],
        "size": ["house-sized", "50-metre", "300-metre", "bus-sized", "kilometre-wide"],
        "gly": ["two", "three", "five", "eight"],
        "season": ["in late summer", "on clear autumn nights", "in the depths of winter", "in early spring"],
        "scope": ["reflector", "telescope", "refractor", "Dobsonian"],
        "minutes": ["twenty", "thirty", "forty-five", "sixty"],
        "galaxy": [
            "a distant galaxy",
            "the galaxy M87",
            "a nearby spiral galaxy",
            "an elliptical galaxy",
            "our Milky Way",
        ],
        "team": [
            "a European team",
            "researchers in Chile",
            "an international collaboration",
            "astronomers in Japan",
            "a group at a Hawaiian observatory",
        ],
        "star": [
            "the young star HL Tauri",
            "the bright star Vega",
            "the star Fomalhaut",
            "the star Beta Pictoris",
            "a nearby red dwarf",
        ],
        "constellation": [
            "Orion is easy to find in the winter sky thanks to the three bright stars of its belt.",
            "The Plough points the way to the Pole Star, which barely moves as the night sky turns.",
            "Cassiopeia forms a bright W shape high in the northern sky on autumn evenings.",
            "Scorpius sprawls low across the southern horizon on summer nights, with red Antares at its heart.",
            "The Southern Cross is the smallest of the 88 constellations yet the easiest to spot from Australia.",
        ],
        "target": [
            "dark matter across the universe",
            "the oldest galaxies",
            "planets around nearby stars",
            "the cosmic microwave background",
            "the shape of the Milky Way",
        ],
        "aurora": [
            "as far south as England",
            "across Scotland",
            "over the northern United States",
            "from northern Germany",
        ],
        "objects": ["black holes", "neutron stars", "dense dead stars"],
    },
}

TOPICS["finance"] = {
    "tails": [
        "It matters to everyone with savings, a mortgage or a pension invested in the stock market.",
        "Money experts say it is a good moment to review your finances.",
        "Savers, borrowers and investors all feel the effects of interest rates and markets.",
        "Understanding how money, markets and interest rates interact pays off in the long run.",
        "Personal finance experts say the same rules of money apply whatever the markets do.",
        "Banks, investors and households are all watching the economy closely.",
        "The financial pages of the newspapers have been full of advice for savers and investors.",
        "Money decisions made today shape people's finances for decades.",
    ],
    "frames": [
        {
            "leads": [
                "Shares in {company} {moved} {pct} after the firm reported {result} quarterly profits.",
                "{company} plans to buy back {buyback} of its own shares over the next twelve months.",
                "Stock markets closed {pct2} {updown} on {weekday}, led by {sector} shares.",
                "{company} will pay a dividend of {pence} pence per share, up from last year.",
                "Auditors found irregularities in the accounts of {company}, and trading in its shares was suspended.",
                "{company} raised {raised} in its stock market debut, valuing the business at {valuation}.",
                "Analysts expect {company} to cut its profit forecast because of {driver2}.",
                "The chief executive of {company} resigned after shareholders rejected his pay package.",
            ],
            "tails": [
                "Analysts said the outlook for the company's earnings remained uncertain.",
                "Trading volumes on the stock exchange were well above the daily average.",
                "The company's bonds also came under pressure in the markets.",
                "Investors will be watching next month's earnings report closely.",
                "Its share price has roughly halved over the past two years.",
                "Several fund managers said they had added to their holdings of the stock.",
                "The board said it remained confident in the company's long-term strategy.",
                "Shares in rival firms in the sector moved in sympathy.",
                "The stock is now trading at its lowest valuation in a decade.",
                "Shareholders will vote on the plan at the annual general meeting.",
            ],
        },
        {
            "leads": [
                "The central bank {action} interest rates to {rate} in an effort to bring inflation back to target.",
                "Annual inflation {moved2} to {cpi} in {month}, driven mainly by {driver}.",
                "The ten-year government bond yield climbed to its highest level since {year} after {news}.",
                "Investors piled into gold and government bonds {weekday} as fears of {risk} grew.",
                "The {currency} weakened against the dollar after {news}.",
                "Small businesses say bank loans have become harder to get since {news2}.",
                "Rising unemployment and falling house prices in {month} have raised fears of {risk}.",
            ],
            "tails": [
                "Economists expect interest rates and borrowing costs to stay high for some time.",
                "Financial markets had priced in the move several weeks earlier.",
                "The central bank governor warned that inflation was proving stubborn.",
                "Mortgage lenders are expected to reprice their loans within days.",
                "The finance minister welcomed the figures but urged caution on the economy.",
                "It was the biggest monthly move in the currency markets for over a year.",
                "Wage growth in the economy is still running ahead of inflation.",
                "The bank's next interest rate decision is due in six weeks.",
                "Bond investors are betting on lower interest rates next year.",
                "The figures add to signs that the economy is slowing.",
            ],
        },
        {
            "leads": [
                "Financial advisers suggest keeping {months} months of expenses in an easy-access savings account.",
                "Paying more than the minimum on your credit card each month cuts the interest on {debt}.",
                "Low-cost index funds that track {index} suit investors with a long time horizon.",
                "Before taking out a {term}-year mortgage, compare the "
                "interest rate, fees and early repayment charges.",
                "Saving {monthly} a month into a pension from the age of {age} can "
                "grow into a large pot thanks to compound interest.",
                "A monthly budget that splits income into needs, wants and savings makes it easier to {goal}.",
                "Spreading your money across {assets} limits the damage any single bad investment can do.",
                "Higher mortgage rates have added {amount} to the monthly repayments of a typical borrower.",
                "Credit scores improve when you pay bills on time and keep {debt} low relative to your limit.",
            ],
            "tails": [
                "Investment fees that look small add up to a lot of money over decades.",
                "Setting up a standing order on payday makes saving money automatic.",
                "An independent financial adviser can help if your money matters are complicated.",
                "Check whether your employer will match your pension contributions.",
                "Banks compete hard for savers' money when interest rates are high.",
                "Tax-free savings accounts are worth filling before anything else.",
                "Remember that the value of investments in the stock market can fall as well as rise.",
                "Shopping around for a better savings rate at another bank takes only an afternoon.",
                "Paying off expensive debt first usually beats investing the money in shares.",
                "Compound interest rewards savers and investors who start early.",
            ],
        },
    ],
    "slots": {
        "company": [
            "Northwind Bank",
            "Orbital Motors",
            "Halcyon Retail",
            "Bluefield Energy",
            "Kestrel Pharma",
            "Meridian Telecom",
            "Harbour Insurance",
            "Summit Steel",
            "Pinecrest Foods",
            "Atlas Airlines",
        ],
        "moved": ["rose", "fell", "jumped", "slid", "climbed", "tumbled"],
        "pct": ["3%", "7%", "12%", "4.5%", "9%", "15%"],
        "result": ["stronger-than-expected", "disappointing", "record", "weaker", "flat"],
        "action": ["raised", "cut", "held", "lowered"],
        "rate": ["4.25%", "3.5%", "5%", "2.75%", "4%"],
        "months": ["three", "six", "four", "twelve"],
        "debt": ["the outstanding balance", "what you owe", "your borrowing", "the debt"],
        "index": ["the S&P 500", "the FTSE 100", "the global stock market", "the MSCI World index", "the Nikkei 225"],
        "moved2": ["rose", "fell", "eased", "climbed", "jumped", "slowed"],
        "cpi": ["2.1%", "3.4%", "4.8%", "6.2%", "1.7%"],
        "month": ["March", "June", "September", "November", "January", "July"],
        "driver": [
            "higher energy bills",
            "falling fuel prices",
            "rising food prices",
            "higher rents",
            "costlier imports",
            "wage growth",
        ],
        "driver2": [
            "weak consumer demand",
            "higher borrowing costs",
            "a strong dollar",
            "rising wage costs",
            "supply chain delays",
        ],
        "year": ["2008", "2011", "2007", "2014"],
        "term": ["25", "30", "20", "15", "35"],
        "buyback": ["2 billion dollars", "500 million pounds", "1 billion euros", "300 million dollars"],
        "monthly": ["100 pounds", "200 dollars", "150 euros", "50 pounds", "300 dollars"],
        "age": ["22", "25", "30", "35", "40"],
        "risk": ["a recession", "a trade war", "a banking crisis", "a market crash", "a debt default"],
        "currency": ["euro", "pound", "yen", "Swiss franc", "Australian dollar"],
        "news": [
            "weak factory data",
            "higher-than-expected inflation",
            "political uncertainty",
            "a disappointing jobs report",
            "a widening trade deficit",
        ],
        "news2": [
            "interest rates started rising",
            "the banking crisis",
            "lenders tightened their rules",
            "the last recession",
        ],
        "goal": [
            "pay off debt",
            "save for a house deposit",
            "build an emergency fund",
            "invest every month",
            "stop overspending",
        ],
        "pct2": ["1.2%", "2.5%", "0.8%", "3.1%", "0.4%"],
        "updown": ["higher", "lower"],
        "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
        "sector": ["banking", "technology", "energy", "mining", "retail", "healthcare"],
        "pence": ["12", "18", "25", "31", "42"],
        "assets": [
            "shares, bonds and property",
            "different countries and industries",
            "several index funds",
            "stocks, bonds and cash",
        ],
        "amount": ["150 pounds", "220 dollars", "300 euros", "90 pounds"],
        "raised": ["800 million dollars", "1.5 billion euros", "400 million pounds", "2 billion dollars"],
        "valuation": ["10 billion dollars", "6 billion pounds", "25 billion euros", "4 billion dollars"],
    },
}

TOPICS["gardening"] = {
    "tails": [
        "Gardeners of every level will notice the difference in their plants.",
        "A little effort in the garden now pays off later in the season.",
        "Experienced gardeners swear by it.",
        "Good gardening starts with healthy soil and a little patience.",
        "Gardening is good for the plants, the wildlife and the gardener.",
        "Keep a garden notebook of what you planted and where.",
        "Local gardening clubs are happy to share advice with beginners.",
        "Whether you have a big garden or a balcony, the same principles apply.",
    ],
    "frames": [
        {
            "leads": [
                "Sow {crop} seeds {sowing} in a sunny spot and keep the soil moist until they germinate.",
                "Harden off the {seedling} by putting them outside during the day for {days} before planting out.",
                "Raised beds warm up quickly in spring and let you grow {crop2} even on poor ground.",
                "Thin the {crop} seedlings to a hand's width apart so the rest have room to grow.",
                "Feed the {fruiting} with a high-potash fertiliser once the first fruits start to swell.",
                "Net the {soft_fruit} as soon as they start to ripen, or the birds will strip them first.",
                "Grow {herb} in a pot of gritty compost by the back door.",
                "Slugs love young {seedling}, so protect them with a ring of grit or a beer trap.",
                "Water the {containers} in the evening so less water is lost to evaporation.",
            ],
            "tails": [
                "Sow a few extra seeds in a tray on a sunny windowsill for an early start.",
                "Label every row in the vegetable patch, because seedlings all look alike at first.",
                "Hoe between the rows on dry days to keep the weeds down.",
                "Rotating crops around the vegetable beds stops pests and diseases building up in the soil.",
                "Allotment neighbours are usually happy to swap spare seedlings and seeds.",
                "Pick the crop little and often and the plants will keep producing.",
                "Check under the leaves for caterpillars and pick them off by hand.",
                "Water at the base of the plants rather than over the leaves.",
                "A cold frame protects tender young plants from late frosts.",
                "Grow a few marigolds among the vegetables to lure pests away.",
            ],
        },
        {
            "leads": [
                "Mulch around the {plant} with {mulch} to keep moisture in and smother weeds.",
                "Prune {shrub} {pruning}, cutting just above a healthy outward-facing bud.",
                "Plant {bulb} bulbs in {autumn} and they will flower in spring.",
                "Dig plenty of {organic} into heavy clay soil before planting {plant}.",
                "Deadhead the {flower} regularly and they will keep blooming for weeks.",
                "{plant_needs}, so choose the planting spot with care.",
                "Divide overcrowded clumps of {perennial} in autumn and replant the healthy outer pieces.",
                "Sweet peas scramble happily up a wigwam of {support}, and picking them encourages more flowers.",
                "Lift the {tuber} before winter and store them somewhere dry and frost-free.",
                "Take softwood cuttings of {shrub} in early summer and root them in pots of gritty compost.",
                "Aphids on the {plant} can be blasted off with a jet of water or left for ladybirds to eat.",
            ],
            "tails": [
                "Clean, sharp secateurs make pruning cuts that heal quickly.",
                "Bees and butterflies will flock to the flower borders.",
                "A sprinkle of bonemeal in the planting hole helps the roots establish.",
                "Wear gardening gloves, because some plants irritate the skin.",
                "The flower borders will look fuller and tidier by midsummer.",
                "Plant in groups of three or five for the most natural look in a border.",
                "Keep new shrubs well watered through their first summer in the garden.",
                "Ask at the garden centre which plant varieties suit your soil.",
                "Feed the flower beds with a general fertiliser in spring.",
                "A good layer of mulch cuts down on weeding and watering.",
            ],
        },
        {
            "leads": [
                "Turn the compost heap every {weeks} weeks so air reaches the middle and it rots down faster.",
                "Scarify the lawn in {autumn} to pull out moss and thatch, then sow seed on the bare patches.",
                "A {hedge} hedge gives birds shelter and berries and needs trimming only once a year.",
                "A layer of {organic} spread over the vegetable beds in winter feeds the soil for next year.",
                "A water butt under the shed gutter collects enough rain to water the {containers} all summer.",
                "Leave a corner of the lawn unmown in {autumn} so wild flowers and insects can thrive.",
            ],
            "tails": [
                "Earthworms will do most of the digging in the garden for you.",
                "Hedgehogs and frogs help keep the slugs down in the garden.",
                "Garden wildlife needs somewhere sheltered to spend the winter.",
                "Peat-free compost protects precious wetland habitats.",
                "A healthy soil full of life grows stronger plants.",
                "It saves money on compost and fertiliser as well as helping the garden.",
                "Rake up fallen leaves from the lawn and add them to the compost heap.",
                "Birds will visit the garden all year round.",
                "A wildlife pond attracts dragonflies and frogs within a season.",
                "Gardening this way means less digging and healthier soil.",
            ],
        },
    ],
    "slots": {
        "crop": ["carrot", "lettuce", "radish", "beetroot", "spinach", "parsnip", "spring onion", "chard"],
        "crop2": ["potatoes", "salad leaves", "courgettes", "runner beans", "onions", "kale"],
        "sowing": [
            "in early spring",
            "in April",
            "from March to June",
            "every few weeks through summer",
            "in late summer",
        ],
        "plant": ["roses", "young shrubs", "fruit bushes", "newly planted trees", "perennials", "hydrangeas"],
        "plant_needs": [
            "Camellias like acidic soil and a spot in partial shade",
            "Lavender likes free-draining soil and full sun",
            "Rhododendrons want acidic soil and dappled shade",
            "Hostas thrive in rich, moist soil and a shady corner",
            "Ferns prefer moist soil and deep shade",
            "Blueberry bushes need acidic soil and a sunny spot",
        ],
        "mulch": ["bark chips", "leaf mould", "garden compost", "straw", "well-rotted manure"],
        "shrub": ["buddleia", "forsythia", "hydrangeas", "lavender", "fuchsias", "climbing roses"],
        "pruning": ["in late winter", "straight after flowering", "in early spring", "on a dry autumn day"],
        "seedling": ["lettuces", "dahlias", "seedlings", "bean plants", "marigolds", "courgette plants"],
        "bulb": ["tulip", "daffodil", "crocus", "allium", "snowdrop", "hyacinth"],
        "autumn": ["September", "October", "November", "early autumn"],
        "organic": ["well-rotted manure", "garden compost", "leaf mould", "mushroom compost", "grit"],
        "flower": ["geraniums", "petunias", "cosmos", "dahlias", "sweet peas", "pansies"],
        "weeks": ["two", "three", "four", "six"],
        "containers": ["hanging baskets", "pots and tubs", "window boxes", "seed trays", "greenhouse plants"],
        "days": ["a week", "ten days", "two weeks"],
        "perennial": ["hostas", "daylilies", "asters", "hardy geraniums", "ornamental grasses"],
        "support": ["hazel poles", "bamboo canes", "willow sticks", "garden netting"],
        "hedge": ["hawthorn", "beech", "holly", "mixed native", "privet"],
        "tuber": ["dahlia tubers", "gladioli corms", "begonia tubers", "canna rhizomes"],
        "herb": ["rosemary", "thyme", "mint", "chives", "sage", "parsley"],
        "fruiting": ["tomato plants", "strawberries", "chilli plants", "courgettes", "aubergine plants"],
        "soft_fruit": ["strawberries", "raspberries", "blackcurrants", "cherries", "gooseberries"],
    },
}

TOPICS["medicine"] = {
    "tails": [
        "Patients with questions should speak to their doctor or pharmacist.",
        "Doctors say patients should seek medical advice if their symptoms get worse.",
        "The advice is part of the health service's guidance for patients and doctors.",
        "Good communication between patients and doctors makes treatment work better.",
        "Health professionals say prevention is always better than cure.",
        "Medical research keeps improving the treatments doctors can offer patients.",
        "Hospitals and family doctors are working together to improve patient care.",
        "Patients are encouraged to read the leaflet that comes with their medicine.",
    ],
    "frames": [
        {
            "leads": [
                "Patients with {condition} should have their {measure} checked every {interval}.",
                "Regular exercise lowers the risk of {disease} and helps to control {factor}.",
                "Blood results showed the patient was low in {nutrient}, so the GP prescribed supplements.",
                "Doctors advise people with {condition} to cut down on {diet} and stop smoking.",
                "A new study links poor sleep to a higher risk of {disease}.",
                "The patient's {measure} improved within {weeks} weeks of starting the new medication.",
                "The GP referred the patient to {referral} was found at a check-up.",
                "The pharmacist warned that {interaction}.",
                "The {vaccine} vaccine is now offered at pharmacies to everyone over {age}.",
            ],
            "tails": [
                "Most patients can manage the condition well with the right medical support.",
                "A practice nurse can explain the results at a follow-up appointment.",
                "Bring a list of all your medicines to every appointment with the doctor.",
                "Side effects of the treatment are usually mild and settle within a few days.",
                "Ask your GP if you are unsure whether this advice applies to you.",
                "Early treatment greatly reduces the risk of complications.",
                "The health service sends patients reminder letters when a check-up is due.",
                "Patients should keep taking the tablets even when they feel well.",
                "Doctors say the benefits of the medication far outweigh the risks.",
                "A healthy diet and regular exercise also help to keep the illness under control.",
            ],
        },
        {
            "leads": [
                "Doctors say the common symptoms of {illness_symptoms}.",
                "A cough that lasts longer than {weeks} weeks should be checked by a doctor.",
                "Doctors warn that antibiotics do nothing for {infection}, which "
                "viruses cause, and taking them adds to drug resistance.",
                "In allergic patients, {allergen} can cause hives, swollen lips and, in severe cases, anaphylaxis.",
                "In older patients, dehydration can cause confusion, dizziness and {complication}.",
                "A fever above 38 degrees in a baby under {baby} needs urgent medical advice.",
                "Paramedics gave the patient {treatment} in the ambulance on the way to hospital.",
                "An MRI scan showed {scan_finding}.",
            ],
            "tails": [
                "Call an ambulance if the patient's breathing becomes difficult.",
                "Rest, fluids and paracetamol are enough treatment for most patients.",
                "Patients with a weakened immune system should see a doctor sooner.",
                "A doctor can usually confirm the diagnosis with a quick examination.",
                "Patients who carry an adrenaline pen should keep it with them at all times.",
                "Symptoms normally improve within a week or two with treatment.",
                "Doctors may keep the patient in hospital overnight for observation.",
                "Most patients make a full recovery with prompt medical treatment.",
                "A pharmacist can advise on which medicines are safe to take.",
                "The illness is rarely serious but can be dangerous for young children and the elderly.",
            ],
        },
        {
            "leads": [
                "The new {drug} reduced {outcome} by {pct} in a clinical trial of {n} patients.",
                "Surgeons carried out a {operation}, and the patient went home after {days} days.",
                "The hospital's {department} has cut waiting times by {pct} with a new triage system.",
                "Nurses on the {ward} ward record each patient's pulse, oxygen "
                "level and temperature every {hours} hours.",
                "Screening for {screening}.",
                "After a {operation2}, physiotherapy helps patients rebuild strength and movement.",
                "The clinic is trialling {trial_tech} earlier.",
                "The hospital has recruited {nurses} extra nurses to reopen beds on its {ward} ward.",
            ],
            "tails": [
                "Hospital managers hope to roll the approach out to other hospitals in the region.",
                "The medicines regulator will review the clinical trial data later this year.",
                "Patients said they felt better informed about their treatment.",
                "Surgeons now routinely use keyhole techniques for the operation.",
                "Staff shortages remain a serious problem in hospitals across the health service.",
                "Clinical guidelines for doctors are expected to change as a result.",
                "Doctors stressed that the results still need to be confirmed in larger trials.",
                "Hospital waiting lists for planned operations are slowly coming down.",
                "Nurses and doctors on the ward welcomed the extra resources.",
                "The treatment could be available to patients on the health service next year.",
            ],
        },
    ],
    "slots": {
        "condition": [
            "type 2 diabetes",
            "high blood pressure",
            "kidney disease",
            "heart failure",
            "an underactive thyroid",
            "high cholesterol",
        ],
        "measure": ["blood sugar", "blood pressure", "kidney function", "cholesterol", "thyroid hormone levels"],
        "interval": ["three months", "six months", "year"],
        "drug": [
            "cholesterol drug",
            "asthma inhaler",
            "migraine treatment",
            "antiviral pill",
            "weight-loss injection",
            "blood thinner",
        ],
        "outcome": ["hospital admissions", "severe attacks", "the risk of stroke", "relapses", "deaths"],
        "pct": ["20%", "30%", "35%", "40%", "half"],
        "n": ["1,200", "3,000", "800", "10,000", "450"],
        "nurses": ["25", "40", "65", "120"],
        "weeks": ["two", "three", "four", "six"],
        "vaccine": ["flu", "shingles", "pneumococcal", "COVID-19 booster", "RSV"],
        "age": ["50", "65", "70", "75", "80"],
        "illness_symptoms": [
            "appendicitis include fever, vomiting and tenderness low on the right side of the abdomen",
            "pneumonia include a high temperature, a wet cough and breathlessness",
            "kidney stones include a sudden, severe ache in the side or back",
            "shingles include a blistering rash on one side of the body",
            "gastroenteritis include diarrhoea, nausea and stomach cramps",
            "tonsillitis include a very sore throat and swollen glands",
        ],
        "operation": [
            "hip replacement",
            "keyhole gallbladder operation",
            "knee arthroscopy",
            "cataract operation",
            "heart bypass",
            "appendix removal",
        ],
        "operation2": [
            "knee replacement",
            "hip replacement",
            "spinal surgery",
            "stroke",
            "broken leg",
            "shoulder operation",
        ],
        "days": ["two", "three", "five", "seven"],
        "infection": ["a common cold", "most sore throats", "flu", "acute bronchitis", "most coughs"],
        "department": [
            "emergency department",
            "cancer clinic",
            "outpatient clinic",
            "children's ward",
            "fracture clinic",
        ],
        "disease": ["heart disease", "type 2 diabetes", "dementia", "depression", "bowel cancer", "osteoporosis"],
        "factor": ["blood pressure", "weight", "blood sugar", "cholesterol"],
        "nutrient": ["iron", "vitamin D", "vitamin B12", "folate", "potassium"],
        "ward": ["surgical", "medical", "cardiology", "respiratory", "stroke"],
        "hours": ["two", "four", "six"],
        "allergen": ["peanuts", "penicillin", "bee stings", "shellfish", "latex", "tree nuts"],
        "interaction": [
            "warfarin should not be taken together with aspirin",
            "some statins should not be taken together with grapefruit juice",
            "this antidepressant should not be taken together with St John's wort",
            "ibuprofen should not be combined with other anti-inflammatory painkillers",
            "alcohol must be avoided while taking the antibiotic metronidazole",
        ],
        "scan_finding": [
            "a small tear in the cartilage of the patient's knee",
            "a slipped disc in the patient's lower back",
            "an inflamed tendon in the patient's shoulder",
            "fluid around the patient's knee joint",
            "a small benign cyst in the patient's brain",
        ],
        "referral": [
            "a cardiologist after an irregular heartbeat",
            "a gastroenterologist after raised liver enzymes",
            "a urologist after blood in the urine",
            "a lung specialist after a shadow on an X-ray",
            "a haematologist after very low iron levels",
        ],
        "screening": [
            "bowel cancer is offered every two years to people aged 50 to 74",
            "breast cancer is offered every three years to women aged 50 to 71",
            "cervical cancer is offered every three to five years to women aged 25 to 64",
            "lung cancer is offered to current and former smokers aged 55 to 74",
        ],
        "complication": ["falls", "urinary infections", "constipation", "kidney problems"],
        "baby": ["three months"],
        "trial_tech": [
            "an AI tool that reads scans to spot lung cancer",
            "a handheld ultrasound scanner to find heart failure",
            "a simple eye scan to detect the first signs of dementia",
            "a smartphone heart monitor to catch an irregular heartbeat",
        ],
        "diet": ["salt", "sugar", "saturated fat", "alcohol"],
        "treatment": ["oxygen", "pain relief", "intravenous fluids", "aspirin", "an adrenaline injection"],
    },
}

TOPICS["travel"] = {
    "tails": [
        "Travellers planning a trip should check the latest advice before they go.",
        "It is the kind of travel tip that makes a holiday run smoothly.",
        "Holidaymakers and backpackers alike will find it useful.",
        "Seasoned travellers swear by it.",
        "Travel is about the people you meet as much as the places you see.",
        "A little planning before the trip leaves more time to enjoy the holiday.",
        "Tourism in the region has grown quickly in recent years.",
        "Every traveller we met on the trip had a similar story.",
    ],
    "frames": [
        {
            "leads": [
                "The old town of {city} is best explored on foot, and {sight} is a short walk from the station.",
                "Our hotel in {city} had a rooftop terrace looking out over {view}.",
                "Entry to {museum} in {city} is free on the first Sunday of every month.",
                "Our guide led a walking tour through the {district} of "
                "{city} and recommended a family-run restaurant.",
                "Hostels in {city} offer private rooms and shared kitchens for a fraction of hotel prices.",
                "Queues at {sight2} can last two hours, so book a timed entry ticket online.",
                "The metro in {metro_city} is clean, quick and easy to use with a {days}-day travel card.",
                "Pack comfortable walking shoes for {city}, because the streets of the old town are cobbled.",
                "An express train links the airport with the centre of {airport_city} every {frequency} minutes.",
            ],
            "tails": [
                "Most of the city's sights are within walking distance of each other.",
                "Locals eat late, so the restaurants in the old town fill up after nine.",
                "A city pass includes public transport and entry to the main museums.",
                "Early mornings are the best time to beat the tour groups at the sights.",
                "Learning a few words of the local language goes a long way with hosts.",
                "Keep an eye on your bag in crowded tourist spots.",
                "Our hotel room was small but spotless and the staff were lovely.",
                "We wished we had booked an extra night in the city to see more.",
                "The tourist office near the station hands out free walking maps.",
                "Sightseeing is easier with a good pair of shoes and a light daypack.",
            ],
        },
        {
            "leads": [
                "Take the night train from {eurocity} to {eurocity2} and wake up in a new country.",
                "A {days}-day rail pass covers most of {region} and lets you hop between cities as you please.",
                "We hired bikes and cycled {km} kilometres along {route}, stopping at village cafes.",
                "The ferry to {island} takes {hours} hours and books up quickly in August.",
                "Backpacking through {region} for {weeks} weeks taught us to slow down and travel light.",
                "Our campervan trip around {region2} took {days} days, with a different campsite every night.",
                "The cheapest way from {eurocity} to {eurocity2} is the "
                "overnight coach, though the train is far comfier.",
                "A river cruise from {rivercity} stops at {stops} towns and vineyards along the way.",
                "From the summit of {mountain} hikers can see as far as {horizon} on a clear day.",
            ],
            "tails": [
                "Pack snacks for the journey, because the buffet car is often closed at night.",
                "Reserve seats on the trains in advance during the summer holidays.",
                "The journey itself turned out to be the highlight of our holiday.",
                "Slow travel means fewer sights but far better memories of the trip.",
                "We met fellow travellers from all over the world along the way.",
                "A good guidebook and an offline map saved us more than once on the road.",
                "Book accommodation for the first and last nights and leave the rest of the trip flexible.",
                "Travel insurance paid for itself when our luggage went missing.",
                "The scenery from the train window was worth the long journey.",
                "Hostels along the route made the trip affordable for backpackers.",
            ],
        },
        {
            "leads": [
                "Check that your passport is valid for at least six months before booking a holiday in {country}.",
                "The best time to visit {destination} is {season}, when the crowds of tourists have thinned.",
                "Travellers to {country} should check whether they need a visa, which can take {visa} to approve.",
                "The guesthouse owner in {destination} cooked us breakfast and drew a map of the best beaches.",
                "A week of island hopping around {destination} {season} was the best holiday we have had.",
                "Visitors to {country} should dress modestly when touring temples, churches and mosques.",
                "Our holiday in {country} began with a night in the capital before heading to {destination2}.",
            ],
            "tails": [
                "Make copies of your passport and keep them apart from the original while you travel.",
                "Pack light, because you will carry your luggage further than you expect on holiday.",
                "A good guidebook helps you plan the trip before you set off.",
                "The local tourist office is full of free advice for visitors.",
                "Respect local customs, especially when sightseeing at religious sites.",
                "Travelling in the shoulder season means quieter beaches and friendlier hosts.",
                "Our holiday photos still make us want to book the trip again.",
                "Sunscreen, a hat and a refillable water bottle are essentials for the trip.",
                "Jet lag wore off after a couple of days of sightseeing.",
                "It is a destination that rewards travellers who explore beyond the resorts.",
            ],
        },
    ],
    "slots": {
        "city": [
            "Lisbon",
            "Prague",
            "Ghent",
            "Edinburgh",
            "Seville",
            "Krakow",
            "Dubrovnik",
            "Bruges",
            "Porto",
            "Vienna",
            "Budapest",
            "Bologna",
        ],
        "metro_city": ["Lisbon", "Prague", "Vienna", "Budapest", "Porto", "Madrid", "Munich"],
        "airport_city": ["Vienna", "Zurich", "Oslo", "Copenhagen", "Munich", "Amsterdam", "Madrid"],
        "eurocity": ["Paris", "Vienna", "Munich", "Zurich", "Amsterdam", "Prague", "Budapest", "Venice", "Berlin"],
        "rivercity": ["Vienna", "Budapest", "Basel", "Lyon", "Porto", "Cologne"],
        "sight": [
            "the cathedral",
            "the main square",
            "the town hall",
            "the old market hall",
            "the city museum",
            "the riverside promenade",
        ],
        "sight2": [
            "the Alhambra",
            "the Vatican Museums",
            "the Eiffel Tower",
            "the Colosseum",
            "the Sagrada Familia",
            "the Acropolis",
        ],
        "view": ["the river", "the red-tiled rooftops", "the harbour", "the old town", "the mountains"],
        "country": ["Japan", "Morocco", "Iceland", "Vietnam", "Peru", "Croatia", "Turkey", "Portugal"],
        "destination2": [
            "the coast",
            "the mountains",
            "the beaches of the south",
            "a quiet fishing village",
            "the national park",
        ],
        "destination": [
            "the Greek islands",
            "Venice",
            "the Scottish Highlands",
            "Bali",
            "the Amalfi Coast",
            "the Algarve",
            "Cappadocia",
        ],
        "season": [
            "in late spring",
            "in September",
            "in early autumn",
            "outside the school holidays",
            "in May or June",
        ],
        "days": ["three", "five", "seven", "ten"],
        "region": ["Western Europe", "Scandinavia", "Southeast Asia", "Central Europe", "the Balkans", "South America"],
        "region2": ["Scotland", "New Zealand", "Iceland", "Ireland", "Tasmania", "Norway"],
        "km": ["30", "45", "60", "80"],
        "route": ["the Danube", "the coast", "a disused railway line", "the Loire valley", "the canal towpath"],
        "museum": [
            "the national gallery",
            "the city museum",
            "the modern art museum",
            "the history museum",
            "the maritime museum",
        ],
        "island": ["Capri", "Mallorca", "the Isle of Skye", "Crete", "Santorini", "the Aran Islands"],
        "hours": ["two", "three", "four", "six"],
        "district": [
            "Jewish quarter",
            "old harbour district",
            "artists' quarter",
            "castle district",
            "riverside neighbourhood",
        ],
        "frequency": ["ten", "fifteen", "twenty", "thirty"],
        "mountain": ["Mount Fuji", "Ben Nevis", "Table Mountain", "the Zugspitze", "Snowdon", "Mount Olympus"],
        "horizon": ["the sea", "three countries", "the distant islands", "the city far below"],
        "weeks": ["three", "four", "six", "eight"],
        "visa": ["a few days", "about a week", "two working days", "up to a month"],
        "stops": ["six", "eight", "ten", "a dozen"],
    },
}

TOPICS["music"] = {
    "tails": [
        "Music lovers and musicians alike will appreciate it.",
        "For musicians, it is all part of making music together.",
        "Musicians say that listening closely is the heart of making good music.",
        "Whether classical, jazz or rock, good music rewards patience and practice.",
        "Live music venues have been busier than ever this year.",
        "Music teachers say the love of playing starts with hearing great musicians.",
        "The local music scene is thriving, from orchestras to pub bands.",
        "It is a reminder of how much music brings people together.",
    ],
    "frames": [
        {
            "leads": [
                "The {orchestra} performed {masterwork} to a sold-out concert hall.",
                "The conductor took the {movement} faster than usual, and the {orchestra} kept up brilliantly.",
                "The {ensemble} is recording an album of {composer}'s chamber music next spring.",
                "The soloist's playing in {masterwork} brought the audience at the {festival} festival to its feet.",
                "The community choir rehearses every {weekday} evening and is looking for more {voice}.",
                "The jazz trio improvised on {standard} for almost twenty minutes.",
                "A young {instrument} player won the competition with a daring performance of {composer}.",
            ],
            "tails": [
                "The applause in the concert hall went on for several minutes.",
                "Critics praised the precision of the orchestra's string section.",
                "The concert will be broadcast on classical music radio next week.",
                "It was the orchestra's first concert under its new music director.",
                "The encore was a gentle lullaby that left the concert hall silent.",
                "The acoustics of the old hall suited the music perfectly.",
                "Many in the audience were hearing the symphony live for the first time.",
                "The musicians rehearsed the piece for months before the concert.",
                "The conductor dedicated the performance to a former member of the orchestra.",
                "Recordings of the concert will be released on the orchestra's own label.",
            ],
        },
        {
            "leads": [
                "The band's new album blends {genre} with {genre2} and was recorded live in {days} days.",
                "Tickets for the {festival} festival sold out within {minutes} minutes.",
                "The singer's {tour} tour opens with three nights at {venue}.",
                "Vinyl sales rose again this year, with {genre} albums among the bestsellers.",
                "The producer layered {layer} under the chorus to make the {piece} sound bigger.",
                "Our band is looking for a {member} for gigs in local pubs, and "
                "our influences include {genre} and {genre2}.",
                "Streaming pays artists so little per play that most musicians earn more from {income}.",
                "The festival has announced {genre} and {genre2} headliners for its main stage this summer.",
                "The new single tops the {chart} chart after {count} weeks of heavy radio play.",
                "The drummer held a steady groove in {metre} throughout the {piece}.",
            ],
            "tails": [
                "The lead singer wrote most of the lyrics on the tour bus.",
                "Fans queued overnight at the record shop for signed copies of the album.",
                "The guitar riff on the opening track is already a crowd favourite at gigs.",
                "The band recorded every song on the album on analogue tape.",
                "The band's last record went gold within a month.",
                "The bass line carries the whole song.",
                "The crowd sang every word of the chorus back to the band.",
                "Music critics called it the band's most adventurous record yet.",
                "The album's songs were written during a year of constant touring.",
                "The band will play the new songs live for the first time at the gig.",
            ],
        },
        {
            "leads": [
                "Practise your {scale} scales slowly with a metronome at {bpm} beats per minute before speeding up.",
                "The guitarist switched to {strings} strings to get a brighter tone.",
                "A new {instrument} teacher at the music school starts lessons for beginners on {weekday}.",
                "Learning to read sheet music helps you understand {concept} as well as rhythm.",
                "Tune the {stringed} before every rehearsal, because strings drift flat as the room warms up.",
                "The song is in {key} major and moves up a semitone for the final chorus.",
                "Warm up your voice with humming and lip trills before singing {repertoire}.",
                "A second-hand {instrument} is a sensible buy for a beginner, as long as a teacher checks it first.",
            ],
            "tails": [
                "Twenty minutes of daily practice on your instrument beats one long session a week.",
                "Record yourself playing and listen back for uneven notes.",
                "Playing along with recordings is a fun way to improve your musical timing.",
                "Music grade exams give students a clear goal to work towards.",
                "Keep your wrists relaxed to avoid strain during long practice sessions.",
                "Joining an amateur band or orchestra is the quickest way to grow in confidence as a musician.",
                "Learning songs by ear trains your musical memory.",
                "A good music teacher will choose pieces that match your level.",
                "Slow practice builds the finger memory needed to play fast passages.",
                "Singing the melody before playing it helps you phrase the music.",
            ],
        },
    ],
    "slots": {
        "ensemble": [
            "city orchestra",
            "string quartet",
            "chamber choir",
            "youth orchestra",
            "brass band",
            "baroque ensemble",
        ],
        "composer": ["Beethoven", "Mozart", "Brahms", "Dvorak", "Mahler", "Bach", "Schubert", "Haydn"],
        "orchestra": [
            "city orchestra",
            "youth orchestra",
            "chamber orchestra",
            "symphony orchestra",
            "student orchestra",
        ],
        "masterwork": [
            "Beethoven's fifth symphony",
            "Mozart's requiem",
            "Brahms's violin concerto",
            "Dvorak's cello concerto",
            "Mahler's second symphony",
            "Bach's mass in B minor",
            "Schubert's string quintet",
            "Haydn's trumpet concerto",
        ],
        "genre": ["folk", "jazz", "hip-hop", "electronic music", "blues", "soul", "punk", "reggae", "indie rock"],
        "days": ["three", "five", "seven", "ten"],
        "scale": ["major", "minor", "pentatonic", "chromatic", "blues"],
        "bpm": ["60", "72", "80", "90", "100"],
        "strings": ["lighter", "heavier", "nickel-wound", "stainless steel", "flatwound"],
        "festival": ["summer jazz", "folk", "electronic", "open-air rock", "chamber music", "blues"],
        "minutes": ["ten", "twenty", "thirty", "forty"],
        "instrument": ["piano", "violin", "cello", "clarinet", "trumpet", "saxophone", "flute", "guitar"],
        "stringed": ["violin", "guitar", "cello", "double bass", "harp", "ukulele"],
        "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Saturday"],
        "tour": ["world", "farewell", "acoustic", "spring", "comeback"],
        "venue": [
            "a small jazz club",
            "the arena",
            "an old concert hall",
            "a converted church",
            "an open-air amphitheatre",
        ],
        "count": ["three", "four", "six", "eight"],
        "concept": ["harmony", "chord progressions", "key signatures", "melody", "dynamics"],
        "metre": ["seven-eight time", "waltz time", "four-four time", "five-four time", "a shuffle rhythm"],
        "piece": ["ballad", "track", "encore", "opening number", "song"],
        "voice": ["tenors", "basses", "altos", "sopranos", "young singers"],
        "standard": [
            "a Duke Ellington tune",
            "an old blues standard",
            "a bossa nova classic",
            "a Thelonious Monk tune",
            "a Gershwin song",
        ],
        "layer": ["a string section", "three-part harmonies", "a warm synth pad", "a gospel choir", "doubled guitars"],
        "member": ["bass player", "drummer", "keyboard player", "lead singer", "saxophonist"],
        "income": ["live concerts", "selling merchandise", "teaching", "licensing songs for films"],
        "key": ["C", "G", "D", "E flat", "B flat", "A"],
        "movement": ["finale", "slow movement", "scherzo", "opening movement"],
        "repertoire": ["high notes", "long phrases", "an aria", "with the choir", "a demanding solo"],
        "chart": ["singles", "country", "dance", "independent"],
    },
}

TOPICS["programming"] = {
    "tails": [
        "It is the kind of detail every software developer learns the hard way.",
        "Clean, well-tested code makes this kind of work much easier.",
        "The developers wrote it up in the project's documentation for the rest of the team.",
        "Good software engineering habits pay off as a codebase grows.",
        "Software teams that automate their tooling ship code with fewer bugs.",
        "Programmers on the team discussed it at length in the code review.",
        "It is a common lesson in software development, whatever the programming language.",
        "The engineering team shared the story on their developer blog.",
    ],
    "frames": [
        {
            "leads": [
                "The {lang_error} when the list is empty, so check its length first.",
                "A race condition in the {component} caused intermittent test failures under heavy load.",
                "Use git bisect to find the commit that introduced the bug in the {component}.",
                "Memory use kept growing until we found a leak in the {component}'s cache.",
                "An off-by-one error in the {loop} loop meant the last element was never processed.",
                "Log every exception in the {service} with a stack trace so failures can be debugged later.",
                "The API returns a {status_condition}.",
                "Rewrite the recursive {algorithm} as a loop to avoid a stack overflow on large inputs.",
            ],
            "tails": [
                "A failing unit test that reproduces the bug should come before the fix in the code.",
                "Adding a few log statements to the code narrowed down the bug in minutes.",
                "The debugger showed that the variable was never initialised in the code.",
                "Reading the stack trace from the bottom up made the cause of the crash obvious.",
                "The bug fix was a single line of code, but finding it took two days.",
                "A regression test now guards the code against the same mistake.",
                "Explaining the code to a colleague helped the developer spot the bug.",
                "The developers pushed the fix to production the same evening.",
                "Static typing would have caught the bug before the code ever ran.",
                "The software now handles the edge case without crashing.",
            ],
        },
        {
            "leads": [
                "Write unit tests for the {component} before you refactor it.",
                "The build failed because the {dependency} dependency was pinned to an outdated version.",
                "Run {checker} on the codebase before each commit to catch problems early.",
                "Merge the {branch} branch into main only after the code review has been approved.",
                "The {compiled} compiler warns about unused variables, and our CI treats warnings as errors.",
                "The CI pipeline runs the full test suite on every push and takes about {minutes} minutes.",
                "The code review asked for the {algorithm} to be moved into its own module with clear docstrings.",
                "Type hints let the editor autocomplete the {component}'s methods and catch mistakes before runtime.",
            ],
            "tails": [
                "Small pull requests get reviewed much faster than big ones.",
                "Consistent naming makes the source code far easier to read.",
                "Automating the checks in the CI pipeline means no developer has to remember them.",
                "Good commit messages explain why the code changed, not just what changed.",
                "The development team agreed on a coding style guide to end arguments about formatting.",
                "Test coverage of the codebase went up from sixty to ninety per cent.",
                "Refactoring the code in small steps keeps the tests passing the whole time.",
                "Code reviews spread knowledge of the software across the team.",
                "The developers document every public function in the codebase.",
                "Continuous integration catches broken code before it reaches users.",
            ],
        },
        {
            "leads": [
                "In your code, use a {structure} instead of a list when you need fast lookups by key.",
                "Profiling showed that {pct} of the runtime was spent parsing {fileformat} files.",
                "Packaging the {service} code in a Docker container made software deployments reproducible.",
                "Keep API keys in environment variables, never in the {repo} code repository.",
                "Adding an index on the {column} column made the slowest database query {factor} times faster.",
                "The pull request adds pagination to the {endpoint} endpoint and documents the new parameters.",
                "Many {stack}.",
                "Our {language} service handles {requests} requests per second after we added connection pooling.",
            ],
            "tails": [
                "Measure the code's performance before optimising it, because "
                "the slow part is rarely where you expect.",
                "Caching the query results cut the server's response time in half.",
                "The database schema change needed a migration script as well.",
                "Load testing showed the web server could cope with ten times the traffic.",
                "Clear API documentation saved the next developer hours of guesswork.",
                "The open-source library was well maintained and easy to integrate into the code.",
                "Software deployments now take minutes instead of an afternoon.",
                "The backend code scales horizontally across several servers.",
                "Monitoring dashboards show the service's error rate and latency.",
                "The developers wrote a benchmark to track the code's performance over time.",
            ],
        },
    ],
    "slots": {
        "language": ["Python", "JavaScript", "Java", "Rust", "Go", "C#", "Kotlin", "TypeScript"],
        "lang_error": [
            "Python function raises an IndexError",
            "Java method throws a NullPointerException",
            "Rust function panics",
            "JavaScript function throws a TypeError",
            "Go function panics",
            "C# method throws an exception",
        ],
        "compiled": ["Rust", "Go", "Java", "C#", "Kotlin", "TypeScript", "Swift"],
        "component": [
            "payment module",
            "login handler",
            "search service",
            "parser",
            "scheduler",
            "image uploader",
            "billing job",
            "session manager",
        ],
        "structure": ["dictionary", "hash map", "set", "lookup table"],
        "dependency": ["logging", "HTTP client", "database driver", "JSON parsing", "testing framework"],
        "checker": [
            "the linter",
            "the type checker",
            "the code formatter",
            "a static analyser",
            "the security scanner",
        ],
        "branch": ["feature", "hotfix", "release", "refactoring", "bugfix"],
        "pct": ["40%", "60%", "70%", "85%"],
        "fileformat": ["JSON", "XML", "CSV", "YAML", "log"],
        "status_condition": [
            "401 status code when the authentication token has expired",
            "403 status code when the user lacks permission",
            "404 status code when the resource does not exist",
            "429 status code when a client sends too many requests",
            "500 status code when the server hits an unexpected error",
        ],
        "algorithm": ["tree traversal", "depth-first search", "merge sort", "quicksort", "flood fill"],
        "service": ["web application", "API server", "background worker", "data pipeline", "microservice"],
        "repo": ["public", "shared", "team", "open-source"],
        "column": ["user_id", "created_at", "email", "order_id", "status"],
        "factor": ["ten", "twenty", "fifty", "a hundred"],
        "endpoint": ["/users", "/orders", "/search", "/products", "/invoices"],
        "stack": [
            "Python developers build web backends with Django",
            "JavaScript developers write servers with Express",
            "Java teams build their services with Spring Boot",
            "Rust developers write web servers with Actix",
            "Go developers build APIs with the Gin framework",
            "C# developers build web APIs with ASP.NET Core",
            "Kotlin developers build backends with Ktor",
            "TypeScript developers structure servers with NestJS",
        ],
        "minutes": ["five", "eight", "twelve", "twenty"],
        "loop": ["for", "while", "pagination", "batching"],
        "requests": ["2,000", "5,000", "10,000", "25,000"],
    },
}

TOPICS["weather"] = {
    "tails": [
        "Keep up to date with the latest weather forecast and warnings.",
        "The weather forecast will be updated several times a day.",
        "Forecasters say the weather pattern will change again next week.",
        "The weather has been the talk of the nation this year.",
        "Meteorologists are keeping a close eye on the changing weather.",
        "It has been a season of very changeable weather.",
        "Weather warnings are issued when conditions could be dangerous.",
        "The national weather service publishes detailed forecasts for every region.",
    ],
    "frames": [
        {
            "leads": [
                "Heavy rain will spread from the {direction} {when}, with up to {mm} millimetres on high ground.",
                "A {colour} warning for {hazard} is in force for {region} until {until}.",
                "Gusts of up to {speed} kilometres an hour are expected along {coast} as the storm passes.",
                "Thunderstorms could bring hail and frequent lightning to {region} {when}.",
                "Flood warnings remain in place along the River {river} after {days} days of persistent rain.",
                "Sleet and freezing rain will make untreated roads icy in {region} {when}.",
                "Storm {storm} is forecast to bring damaging winds and heavy rain to {region} {when}.",
                "Snow showers will turn heavier {when}, with {cm} centimetres settling above {altitude} metres.",
            ],
            "tails": [
                "Drivers should allow extra time and slow down on roads exposed to the wind and rain.",
                "Some power cuts and travel disruption are likely during the storm.",
                "Surface water from the rain could flood low-lying roads.",
                "Ferry crossings may be cancelled at short notice because of the weather.",
                "Weather conditions should improve from the west during the afternoon.",
                "Gritters will be out on the roads from early evening.",
                "Check the weather forecast before setting out on any long journey.",
                "Loose garden furniture should be tied down before the gales arrive.",
                "The weather warning may be upgraded if the rain persists.",
                "Forecasters say the stormy weather will last into the weekend.",
            ],
        },
        {
            "leads": [
                "Temperatures will climb to {temp} degrees {when} as high pressure settles over {region}.",
                "It will feel humid and muggy {when}, and the pollen count will be very high.",
                "The heatwave should break {when} as cooler air arrives from the {direction2}.",
                "UV levels will be very high {daytime}, so wear sunscreen and a hat outdoors.",
                "Sunny spells and scattered showers are expected {daytime}, with highs of {temp} degrees.",
                "The weekend forecast for {region} is {outlook}.",
                "A band of cloud will bring drizzle to {region} {when} before brighter skies follow.",
                "A weak weather front will bring patchy rain to {region} {when}, clearing by the afternoon.",
            ],
            "tails": [
                "Winds will be light and mostly from the south.",
                "Overnight temperatures will stay warm and the air rather sticky.",
                "Clouds will build inland during the afternoon with a chance of showers.",
                "Coastal areas will be a few degrees cooler thanks to a sea breeze.",
                "A fresher feel to the weather arrives early next week.",
                "Any showers will die away after dark.",
                "The weather outlook for next week is more settled.",
                "Temperatures will be close to normal for the time of year.",
                "The sunshine will be hazy at times because of high cloud.",
                "A light breeze will make the warmth more comfortable.",
            ],
        },
        {
            "leads": [
                "Morning fog will be slow to clear in {places}, cutting visibility on the roads.",
                "Frost is likely overnight in rural areas of {region}, with lows of minus {minus} degrees.",
                "{month} was {statistic}.",
                "Forecasters expect {seasonal}.",
                "The wind will ease {when}, leaving a calm, clear night and a touch of ground frost in {places}.",
                "The barometer is falling fast, a sign that a deep area of low "
                "pressure is approaching from the {direction}.",
                "The drought has left reservoirs at {pct} of capacity, the lowest level for {years} years.",
                "Clear skies overnight will let temperatures drop sharply in {places}.",
            ],
            "tails": [
                "Meteorologists link the unusual weather pattern to a stalled jet stream.",
                "Long-range weather forecasts are always uncertain, but the signal is strong.",
                "Weather stations recorded the lowest temperatures in sheltered valleys.",
                "Farmers are hoping for a wetter spell of weather soon.",
                "Climate scientists say such weather extremes are becoming more common.",
                "The national weather service will update its long-range forecast on Friday.",
                "Rainfall totals were well below the long-term average for the season.",
                "Weather records at the station go back more than a century.",
                "The forecast models disagree about how long the cold spell will last.",
                "Satellite images show the weather system swirling out in the Atlantic.",
            ],
        },
    ],
    "slots": {
        "direction": ["west", "south-west", "north-west", "south", "Atlantic"],
        "direction2": ["north", "north-west", "Atlantic", "north-east"],
        "when": [
            "on Thursday",
            "overnight",
            "later today",
            "by the weekend",
            "on Monday morning",
            "through Tuesday",
            "this evening",
            "tomorrow afternoon",
        ],
        "daytime": [
            "on Thursday",
            "later today",
            "by the weekend",
            "tomorrow afternoon",
            "through Tuesday",
            "on Saturday",
        ],
        "mm": ["30", "50", "70", "100"],
        "temp": ["24", "28", "31", "34", "17", "21"],
        "region": [
            "southern England",
            "the Midlands",
            "eastern Scotland",
            "Wales",
            "Northern Ireland",
            "the north of England",
            "the south coast",
        ],
        "colour": ["yellow", "amber", "red"],
        "hazard": ["heavy rain", "strong winds", "snow and ice", "thunderstorms", "extreme heat", "fog"],
        "until": ["midnight", "Friday morning", "6 pm on Sunday", "noon tomorrow", "early Wednesday"],
        "places": [
            "river valleys",
            "low-lying areas",
            "the Thames valley",
            "inland parts of the east",
            "sheltered glens",
        ],
        "speed": ["70", "80", "95", "110", "120"],
        "coast": ["western coasts", "the Irish Sea coast", "exposed headlands", "the Channel coast", "the east coast"],
        "minus": ["two", "three", "five", "seven"],
        "outlook": [
            "dry and bright with light winds",
            "unsettled, with heavy showers and gusty winds",
            "cloudy on Saturday but sunnier on Sunday",
            "cold and frosty with wintry showers on hills",
            "warm and sunny, though thunderstorms may break out later",
        ],
        "month": ["July", "February", "April", "October", "December", "August"],
        "statistic": [
            "the wettest on record, with twice the average rainfall",
            "the warmest on record, with temperatures two degrees above normal",
            "the driest on record, with barely a drop of rain",
            "the sunniest on record, with over 250 hours of sunshine",
            "the dullest on record, with barely 40 hours of sunshine",
        ],
        "cm": ["five", "ten", "fifteen", "twenty"],
        "altitude": ["200", "300", "400", "500"],
        "seasonal": [
            "a stormy winter, with the risk of flooding in the west",
            "a summer of long dry spells, with heatwaves becoming more likely",
            "a changeable spring, with late frosts in sheltered valleys",
            "a wet autumn, with windy spells in the north",
            "a mild winter, with snow mainly confined to high ground",
        ],
        "river": ["Severn", "Thames", "Trent", "Ouse", "Wye", "Derwent"],
        "days": ["three", "four", "five", "six"],
        "pct": ["45%", "52%", "60%", "38%"],
        "years": ["twenty", "thirty", "forty"],
        "storm": ["Agnes", "Bella", "Ciaran", "Darragh", "Eunice", "Frank"],
    },
}

# Off-topic oddities, none about any of the topics above.
OUTLIERS = [
    "The lighthouse keeper's parrot refuses to say a single word on Tuesdays.",
    "Insert wooden dowel B into panel C before tightening the cam locks on the wardrobe door.",
    "Knit two, purl two, and repeat until the scarf wraps twice around your neck.",
    "My grandmother's button collection fills three biscuit tins, and nobody knows where half of them came from.",
    "The paper crane needs twenty-three folds, and the very last one is the trickiest.",
    "The plumber replaced the perished washer under the bathroom sink in ten minutes.",
    "Lost: one purple woollen glove, last seen on the bench by the bus stop.",
    "Medieval monks copied manuscripts by candlelight with quills cut from goose feathers.",
]

# Near-duplicates: (topic, how many) to copy, and the small edits that make a copy.
DUPLICATES_PER_TOPIC = {
    "football": 2,
    "cooking": 1,
    "astronomy": 1,
    "finance": 2,
    "gardening": 1,
    "medicine": 1,
    "travel": 2,
    "music": 1,
    "programming": 1,
    "weather": 1,
}


def _edits() -> list:
    """Small edits that leave a text's meaning alone. Each returns None when it does not apply."""

    def swap_words(text: str) -> str | None:
        pairs = [
            (" quickly", " fast"),
            (" large", " big"),
            (" new ", " brand-new "),
            (" very ", " really "),
            (" before ", " prior to "),
            (" after ", " following "),
            (" usually ", " normally "),
            (" every ", " each "),
        ]
        for old, new in pairs:
            if old in text:
                return text.replace(old, new, 1)
        return None

    def exclaim(text: str) -> str | None:
        return text[:-1] + "!" if text.endswith(".") else None

    def prefix(text: str) -> str | None:
        return "Update: " + text

    return [swap_words, exclaim, prefix]


# ---- the generator ----------------------------------------------------------------------------------


def _fields(template: str) -> list[str]:
    return list(dict.fromkeys(name for _, name, _, _ in string.Formatter().parse(template) if name))


def _base(slot: str, slots: dict[str, list[str]]) -> str:
    """The word list a slot draws from: its own if it has one, else its name without trailing digits."""
    return slot if slot in slots else slot.rstrip("0123456789")


# "a" becomes "an" before a vowel, except where the vowel sounds like "you" (a European team, a urologist).
_AN = re.compile(r"\b([Aa]) (?=[aeiouAEIOU])(?!(?:[Ee]u|[Uu]ni|[Uu]ro|[Uu]s[eu]|[Oo]ne))")


def _tidy(text: str) -> str:
    text = _AN.sub(lambda m: m.group(1) + "n ", text)
    return text[0].upper() + text[1:]


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[a-z0-9']+", text.lower()))


def _overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """The Jaccard overlap of two word sets: shared words over all words."""
    return len(a & b) / max(len(a | b), 1)


def _fill(template: str, slots: dict[str, list[str]], rng: random.Random) -> tuple[str, tuple[str, ...]]:
    chosen: dict[str, str] = {}
    for name in _fields(template):
        pool = _base(name, slots)
        taken = {value for other, value in chosen.items() if _base(other, slots) == pool}
        chosen[name] = rng.choice([v for v in slots[pool] if v not in taken])
    return _tidy(template.format(**chosen)), tuple(chosen.values())


def topic_texts(topic: str, n: int, rng: random.Random) -> list[str]:
    """``n`` distinct texts for ``topic``.

    Each text is a lead sentence, followed with probability ``TAIL_SHARE`` (always, when the lead has fewer than
    two slots) by a tail sentence: one of the topic's general tails with probability ``TOPIC_TAIL_SHARE``, else
    one of the lead's frame. Two texts with the same lead may share
    at most ``MAX_OVERLAP`` of their words, so no two texts are near-copies of each other: a sentence that
    differs from another only in a number or a weekday reads as the same sentence to an embedding model.
    """
    spec = TOPICS[topic]
    leads = [(frame, lead) for frame, part in enumerate(spec["frames"]) for lead in part["leads"]]
    made: list[str] = []
    seen: set[str] = set()
    used: dict[int, list[frozenset[str]]] = {i: [] for i in range(len(leads))}
    misses = dict.fromkeys(used, 0)
    while len(made) < n:
        open_leads = [i for i in used if misses[i] < 100]
        if not open_leads:
            raise RuntimeError(f"{topic}: only {len(made)} distinct texts; add sentences or slot values.")
        # Spread the texts evenly over the leads: always draw from the least used ones.
        fewest = min(len(used[i]) for i in open_leads)
        index = rng.choice([i for i in open_leads if len(used[i]) == fewest])
        frame, lead = leads[index]
        text, values = _fill(lead, spec["slots"], rng)
        tail = ""
        if len(values) < 2 or rng.random() < TAIL_SHARE:
            pool = spec["tails"] if rng.random() < TOPIC_TAIL_SHARE else spec["frames"][frame]["tails"]
            tail = rng.choice(pool)
            text = f"{text} {tail}"
        words = _words(text)
        if text in seen or any(_overlap(words, old) > MAX_OVERLAP for old in used[index]):
            misses[index] += 1  # a lead that keeps missing has run out of different enough texts
            continue
        misses[index] = 0
        used[index].append(words)
        seen.add(text)
        made.append(text)
    return made


def generate(seed: int = SEED, per_topic: int = PER_TOPIC) -> list[dict]:
    """All rows of the corpus, shuffled and numbered: ``id, text, topic, planted, duplicate_of``."""
    rng = random.Random(seed)
    rows: list[dict] = []
    for topic in TOPICS:
        rows += [
            {"text": t, "topic": topic, "planted": "", "original": None} for t in topic_texts(topic, per_topic, rng)
        ]
    edits = _edits()
    texts = {row["text"] for row in rows}
    copies = []
    for topic, count in DUPLICATES_PER_TOPIC.items():
        pool = [i for i, row in enumerate(rows) if row["topic"] == topic]
        for original in rng.sample(pool, count):
            source = rows[original]["text"]
            for edit in rng.sample(edits, len(edits)):
                copy = edit(source)
                if copy and copy != source and copy not in texts:
                    break
            else:
                raise RuntimeError(f"no edit applies to {source!r}")
            texts.add(copy)
            copies.append({"text": copy, "topic": topic, "planted": "duplicate", "original": original})
    outliers = [{"text": t, "topic": "other", "planted": "outlier", "original": None} for t in OUTLIERS]
    everything = rows + copies + outliers
    order = list(range(len(everything)))
    rng.shuffle(order)
    new_id = {old: new for new, old in enumerate(order)}
    out = []
    for new, old in enumerate(order):
        row = everything[old]
        out.append(
            {
                "id": new,
                "text": row["text"],
                "topic": row["topic"],
                "planted": row["planted"],
                "duplicate_of": "" if row["original"] is None else new_id[row["original"]],
            }
        )
    return out


def to_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare with the stored file")
    parser.add_argument("--out", type=Path, default=OUT, help="where to write the CSV")
    args = parser.parse_args(argv)
    text = to_csv(generate())
    if args.check:
        same = args.out.exists() and args.out.read_text(encoding="utf-8") == text
        print(f"{args.out}: {'up to date' if same else 'OUT OF DATE: rerun without --check'}")
        return 0 if same else 1
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {text.count(chr(10)) - 1} rows to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
