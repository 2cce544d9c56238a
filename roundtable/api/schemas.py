from ninja import Schema


class OrganisationOut(Schema):
    id: int
    name: str
    sector: str
    area: str


class MeOut(Schema):
    id: int
    email: str
    full_name: str
    role: str
    organisation: OrganisationOut


class ErrorOut(Schema):
    detail: str
