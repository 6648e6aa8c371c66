"""Names Dostyk gives things in the N42 documents it writes (and recognises in those it reads)."""

CREATOR = "Dostyk"
#: RadItemInformation characteristics naming the vehicle and its recorded crossing.
CONVEYANCE = "Conveyance"
CROSSING = "Crossing"
