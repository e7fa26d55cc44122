// The incident map: oblast boundaries (occupied areas shaded), incidents, hazard areas.
// Works offline; a tile layer is drawn only when the server is configured with one.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") return;
  var map = L.map(el, { preferCanvas: true, keyboard: true }).fitBounds([[44.3, 22.1], [52.4, 40.2]]);
  if (el.dataset.tiles) {
    L.tileLayer(el.dataset.tiles, { maxZoom: 18, attribution: "" }).addTo(map);
  }
  function esc(s) { var d = document.createElement("div"); d.textContent = s == null ? "" : String(s); return d.innerHTML; }
  function get(url) { return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.ok ? r.json() : { features: [] }; }); }
  var loaded = [];
  if (el.dataset.boundaries) {
    loaded.push(get(el.dataset.boundaries).then(function (data) {
      L.geoJSON(data, {
        style: function (f) {
          var occ = f.properties.occupied;
          return { color: "#555", weight: 1, fillColor: occ ? "#c62828" : "#dfe6ee",
                   fillOpacity: occ === "occupied" ? 0.45 : occ === "partly" ? 0.2 : 0.35, dashArray: occ === "partly" ? "4" : null };
        },
        onEachFeature: function (f, layer) {
          var p = f.properties, name = document.documentElement.lang === "uk" ? p.name_uk : p.name_en;
          var occ = p.occupied === "occupied" ? el.dataset.labelOccupied : p.occupied === "partly" ? el.dataset.labelPartly : "";
          layer.bindTooltip(esc(name) + (occ ? " — " + esc(occ) : ""));
        }
      }).addTo(map).bringToBack();
      el.dataset.boundaryCount = data.features.length;
    }));
  }
  if (el.dataset.hazards) {
    loaded.push(get(el.dataset.hazards).then(function (data) {
      L.geoJSON(data, {
        style: { color: "#e65100", weight: 2, fillColor: "#ff9800", fillOpacity: 0.4 },
        pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 6, color: "#e65100", fillColor: "#ff9800", fillOpacity: 0.9 }); },
        onEachFeature: function (f, layer) { layer.bindPopup(esc(el.dataset.labelHazard || "") + ": " + esc(f.properties.name)); }
      }).addTo(map);
      el.dataset.hazardCount = data.features.length;
    }));
  }
  if (el.dataset.incidents) {
    loaded.push(get(el.dataset.incidents).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 5, color: "#083d73", weight: 1, fillColor: "#0b5cad", fillOpacity: 0.8 });
        },
        onEachFeature: function (f, layer) {
          layer.bindPopup('<a href="/incidents/' + f.properties.id + '">' + esc(f.properties.title) + "</a><br>" + esc(f.properties.date) +
            (f.properties.place ? " · " + esc(f.properties.place) : ""));
          layer.feature = f;
        }
      }).addTo(map);
      el.dataset.incidentCount = data.features.length;
      el.dataset.incidentIds = data.features.map(function (f) { return f.properties.id; }).join(",");
      var status = document.getElementById("map-status");
      if (status && data.truncated) status.textContent = el.dataset.labelTruncated || "";
    }));
  }
  Promise.all(loaded).then(function () { el.dataset.ready = "1"; });
  window.svidokMap = map;
})();
