"""The Locations module (2.2.1 chapter 8): Location, EVSE and Connector with their data types."""
