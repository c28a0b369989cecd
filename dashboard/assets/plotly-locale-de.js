// German locale for the plotly charts of the dashboard (number and date format,
// modebar texts). Registered before the first chart is drawn; charts use it through
// the graph config {locale: "de"}.
(function () {
  "use strict";
  function register() {
    if (!window.Plotly || !window.Plotly.register) {
      return false;
    }
    window.Plotly.register({
      moduleType: "locale",
      name: "de",
      dictionary: {
        "Autoscale": "Automatisch skalieren",
        "Box Select": "Rechteckauswahl",
        "Click to enter Colorscale title": "Klicken, um den Farbskalentitel einzugeben",
        "Click to enter Plot title": "Klicken, um den Titel einzugeben",
        "Click to enter X axis title": "Klicken, um den Titel der x-Achse einzugeben",
        "Click to enter Y axis title": "Klicken, um den Titel der y-Achse einzugeben",
        "Double-click to zoom back out": "Doppelklick zum Herauszoomen",
        "Download plot as a png": "Als PNG herunterladen",
        "Download plot": "Grafik herunterladen",
        "Lasso Select": "Lassoauswahl",
        "Pan": "Verschieben",
        "Produced with Plotly.js": "Erstellt mit Plotly.js",
        "Reset axes": "Achsen zurücksetzen",
        "Reset view": "Ansicht zurücksetzen",
        "Show closest data on hover": "Nächste Werte beim Überfahren zeigen",
        "Compare data on hover": "Werte beim Überfahren vergleichen",
        "Toggle Spike Lines": "Hilfslinien ein/aus",
        "Zoom in": "Hineinzoomen",
        "Zoom out": "Herauszoomen",
        "Zoom": "Zoomen",
        "trace": "Datenreihe",
        "median:": "Median:",
        "min:": "Min.:",
        "max:": "Max.:",
        "mean:": "Mittelwert:"
      },
      format: {
        days: ["Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"],
        shortDays: ["So", "Mo", "Di", "Mi", "Do", "Fr", "Sa"],
        months: ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
          "September", "Oktober", "November", "Dezember"],
        shortMonths: ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt",
          "Nov", "Dez"],
        date: "%d.%m.%Y",
        decimal: ",",
        thousands: "."
      }
    });
    return true;
  }
  if (!register()) {
    var tries = 0;
    var timer = setInterval(function () {
      tries += 1;
      if (register() || tries > 200) {
        clearInterval(timer);
      }
    }, 25);
  }
})();
