"""Gazetteer: places with official codes, hierarchy and occupation status over time."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Place(Base):
    __tablename__ = "places"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True, nullable=False)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("places.id"), index=True)
    level: Mapped[str] = mapped_column(String(20), nullable=False)
    country: Mapped[str] = mapped_column(String(2), nullable=False, default="UA")
    name_uk: Mapped[str] = mapped_column(String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    #: Materialised path of ids ("/1/4/57/"): "everything inside" is a prefix match.
    path: Mapped[str] = mapped_column(String(200), nullable=False, index=True)


class PlaceOccupation(Base):
    __tablename__ = "place_occupation"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    place_id: Mapped[int] = mapped_column(ForeignKey("places.id"), index=True, nullable=False)
    status: Mapped[str] = mapped_column(String(20), nullable=False)
    since: Mapped[date] = mapped_column(Date, nullable=False)
    until: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
